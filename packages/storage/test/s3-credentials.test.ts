// Credentials and endpoints the way AWS deployments supply them: no S3_ENDPOINT (the SDK's endpoint
// rules for the region, resolved without any request), and temporary credentials with a session token
// from the SDK's default chain, which must be signed into presigned URLs and PUTs alike.
import { createHmac, createHash } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { loadConfig, s3Config } from '@pulse/config';
import { createLogger } from '@pulse/logger';
import { LogCapture } from '@pulse/testing';
import { createStorage } from '../src/index';

const TOKEN = 'FwoGZXIvYXdzEXAMPLE//session+token=';
const ENV_CREDENTIALS = {
  AWS_ACCESS_KEY_ID: 'ASIAEXAMPLETEMPORARY',
  AWS_SECRET_ACCESS_KEY: 'temporary/secret+key',
  AWS_SESSION_TOKEN: TOKEN,
};

/** A storage configured from `env` alone (no test defaults: no endpoint, no keys unless given). */
function storageFrom(env: Record<string, string>) {
  const logs = new LogCapture();
  const config = loadConfig({ s3: s3Config }, { S3_RETRY_ATTEMPTS: '1', ...env }).s3;
  return { storage: createStorage({ config, logger: createLogger({ name: 't', destination: logs }) }), config };
}

const encode = (s: string) =>
  encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
const hmac = (key: string | Buffer, data: string) => createHmac('sha256', key).update(data).digest();

/**
 * Recomputes a presigned URL's SigV4 signature from its own parts, independently of the signer under
 * test (the algorithm as AWS documents it): proves what the signature covers, e.g. the session token.
 */
function expectedSignature(url: URL, secret: string, headers: Record<string, string>): string {
  const params = [...url.searchParams].filter(([k]) => k !== 'X-Amz-Signature');
  const query = params
    .map(([k, v]) => `${encode(k)}=${encode(v)}`)
    .sort()
    .join('&');
  const signed = url.searchParams.get('X-Amz-SignedHeaders')!.split(';');
  const all: Record<string, string> = { ...headers, host: url.host };
  const canonicalHeaders = signed.map((h) => `${h}:${all[h]}\n`).join('');
  const request = [
    headers[':method'] ?? 'GET',
    url.pathname,
    query,
    canonicalHeaders,
    signed.join(';'),
    'UNSIGNED-PAYLOAD',
  ].join('\n');
  const date = url.searchParams.get('X-Amz-Date')!;
  const [, day, region, service] = url.searchParams.get('X-Amz-Credential')!.split('/');
  const scope = `${day}/${region}/${service}/aws4_request`;
  const toSign = `AWS4-HMAC-SHA256\n${date}\n${scope}\n${createHash('sha256').update(request).digest('hex')}`;
  const key = hmac(hmac(hmac(hmac(`AWS4${secret}`, day!), region!), service!), 'aws4_request');
  return createHmac('sha256', key).update(toSign).digest('hex');
}

describe('S3_ENDPOINT unset: the SDK default endpoint for the region', () => {
  it.each([
    ['eu-west-1', 'https://pulse-exports.s3.eu-west-1.amazonaws.com'],
    ['ap-southeast-2', 'https://pulse-exports.s3.ap-southeast-2.amazonaws.com'],
  ])('%s: virtual-hosted URLs on AWS, resolved without a request', async (region, origin) => {
    // Static keys and no endpoint: nothing here may reach the network (the URL would be unreachable).
    const { storage, config } = storageFrom({ S3_REGION: region, S3_ACCESS_KEY: 'AKIAEXAMPLE', S3_SECRET_KEY: 's' });
    expect(config.forcePathStyle).toBe(false);
    const { url } = await storage.presignGet('pulse-exports', 'exports/e 1.csv', { filename: 'e.csv' });
    const parsed = new URL(url);
    expect(parsed.origin).toBe(origin);
    expect(parsed.pathname).toBe('/exports/e%201.csv');
    expect(parsed.searchParams.get('X-Amz-Credential')).toMatch(
      new RegExp(`^AKIAEXAMPLE/\\d{8}/${region}/s3/aws4_request$`),
    );
    expect(expectedSignature(parsed, 's', {})).toBe(parsed.searchParams.get('X-Amz-Signature'));
    expect(storage.browserOrigin('pulse-exports')).toBe(origin);
    storage.close();
  });

  it('keeps path style when asked for (an S3 server behind a custom endpoint)', async () => {
    const { storage } = storageFrom({
      S3_ENDPOINT: 'https://s3.example.net',
      S3_ACCESS_KEY: 'k',
      S3_SECRET_KEY: 's',
    });
    const { url } = await storage.presignGet('pulse-exports', 'exports/a.csv');
    expect(new URL(url).origin + new URL(url).pathname).toBe('https://s3.example.net/pulse-exports/exports/a.csv');
    storage.close();
  });
});

describe('temporary credentials from the default chain (session token)', () => {
  let server: Server;
  let endpoint: string;
  const seen: { url: string; headers: IncomingHttpHeaders }[] = [];
  const saved: Record<string, string | undefined> = {};

  beforeAll(async () => {
    for (const [k, v] of Object.entries(ENV_CREDENTIALS)) {
      saved[k] = process.env[k];
      process.env[k] = v;
    }
    server = createServer((req, res) => {
      seen.push({ url: req.url ?? '', headers: req.headers });
      req.resume();
      req.on('end', () => res.writeHead(200, { etag: '"e"' }).end());
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  it('signs the token into presigned GET and PUT URLs', async () => {
    const { storage, config } = storageFrom({ S3_ENDPOINT: endpoint, S3_SSE: 'AES256' });
    expect(config.credentials).toBeUndefined();
    const get = new URL((await storage.presignGet('b-1', 'reports/r.pdf')).url);
    expect(get.searchParams.get('X-Amz-Security-Token')).toBe(TOKEN);
    expect(get.searchParams.get('X-Amz-Credential')).toMatch(/^ASIAEXAMPLETEMPORARY\//);
    expect(expectedSignature(get, ENV_CREDENTIALS.AWS_SECRET_ACCESS_KEY, {})).toBe(
      get.searchParams.get('X-Amz-Signature'),
    );
    // The same URL without the token no longer matches its signature: the token is covered by it.
    const stripped = new URL(get);
    stripped.searchParams.delete('X-Amz-Security-Token');
    expect(expectedSignature(stripped, ENV_CREDENTIALS.AWS_SECRET_ACCESS_KEY, {})).not.toBe(
      get.searchParams.get('X-Amz-Signature'),
    );

    const put = await storage.presignPut('b-1', 'artifacts/a/f.csv', { contentType: 'text/csv', contentLength: 3 });
    const putUrl = new URL(put.url);
    expect(putUrl.searchParams.get('X-Amz-Security-Token')).toBe(TOKEN);
    expect(putUrl.searchParams.get('X-Amz-SignedHeaders')).toBe(
      'content-length;content-type;host;x-amz-server-side-encryption',
    );
    expect(put.headers).toEqual({ 'content-type': 'text/csv', 'x-amz-server-side-encryption': 'AES256' });
    expect(
      expectedSignature(putUrl, ENV_CREDENTIALS.AWS_SECRET_ACCESS_KEY, {
        ':method': 'PUT',
        'content-length': '3',
        ...put.headers,
      }),
    ).toBe(putUrl.searchParams.get('X-Amz-Signature'));
    storage.close();
  });

  it('sends and signs the token on PUTs', async () => {
    const { storage } = storageFrom({ S3_ENDPOINT: endpoint });
    seen.length = 0;
    await storage.put('b-1', 'exports/e.csv', Buffer.from('a,b\n'), { contentType: 'text/csv' });
    expect(seen).toHaveLength(1);
    const { headers } = seen[0]!;
    expect(headers['x-amz-security-token']).toBe(TOKEN);
    expect(headers.authorization).toMatch(/Credential=ASIAEXAMPLETEMPORARY\//);
    expect(headers.authorization).toMatch(/SignedHeaders=[^,]*x-amz-security-token/);
    storage.close();
  });
});
