// Buffer PUTs are the SDK's PutObject on the single-attempt client, retried by our policy. Their happy
// path runs against RGW in the other suites; here a real HTTP server on loopback answers the way S3 does
// when it is unhealthy (503 SlowDown, 500, 403 with an XML body), which RGW can't be made to do on demand.
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { isStorageError } from '../src/index';
import { makeStorage } from './support';

interface Seen {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
}
let server: Server;
let endpoint: string;
/** What the server answers next: [status, S3 error code, delay ms]; empty means 200. */
let script: Array<[number, string?, number?]> = [];
const seen: Seen[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      seen.push({
        method: req.method ?? '',
        url: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks).toString(),
      });
      const [status, code, delayMs] = script.shift() ?? [200];
      setTimeout(() => {
        if (status === 200) {
          res.writeHead(200, { etag: '"abc"' }).end();
          return;
        }
        res
          .writeHead(status, { 'content-type': 'application/xml' })
          .end(
            `<?xml version="1.0" encoding="UTF-8"?><Error><Code>${code}</Code><Message>${code} says no</Message></Error>`,
          );
      }, delayMs ?? 0);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

const storageAt = () => makeStorage({ S3_ENDPOINT: endpoint, S3_RETRY_ATTEMPTS: '4', S3_RETRY_BASE_MS: '1' });

describe('buffer PUT against an unhealthy S3', () => {
  it('sends a signed PUT with the payload hash and metadata, and retries 503s with backoff', async () => {
    const { storage, logs } = storageAt();
    script = [
      [503, 'ServiceUnavailable'],
      [503, 'SlowDown'],
    ];
    seen.length = 0;
    const put = await storage.put('bucket-a', 'exports/a b.csv', Buffer.from('a,b\n'), {
      contentType: 'text/csv',
      metadata: { 'Task-Id': 't1' },
    });
    expect(put).toMatchObject({ etag: '"abc"', size: 4 });
    expect(seen).toHaveLength(3);
    const last = seen[2]!;
    expect(last).toMatchObject({ method: 'PUT', body: 'a,b\n' });
    expect(last.url.split('?')[0]).toBe('/bucket-a/exports/a%20b.csv');
    expect(last.headers).toMatchObject({
      'content-type': 'text/csv',
      'content-length': '4',
      'x-amz-meta-task-id': 't1',
      'x-amz-content-sha256': put.sha256,
    });
    expect(last.headers.authorization).toMatch(
      /^AWS4-HMAC-SHA256 Credential=[^/]+\/\d{8}\/[a-z0-9-]+\/s3\/aws4_request, SignedHeaders=([a-z0-9-]+;)*content-type;host;x-amz-content-sha256;x-amz-date;x-amz-meta-task-id(;[a-z0-9-]+)*, Signature=[0-9a-f]{64}$/,
    );
    expect(logs.events('s3_retry').map((r) => r.attempt)).toEqual([1, 2]);
    storage.close();
  });

  it('does not retry what a retry can not fix, and gives up after the configured attempts', async () => {
    const { storage, logs } = storageAt();
    script = [[403, 'AccessDenied']];
    seen.length = 0;
    const denied = await storage
      .put('bucket-a', 'k.csv', Buffer.from('x'), { contentType: 'text/csv' })
      .catch((e) => e);
    expect(isStorageError(denied, 'AccessDenied')).toBe(true);
    expect((denied as Error).message).toContain('AccessDenied');
    expect(seen).toHaveLength(1);

    script = [
      [500, 'InternalError'],
      [500, 'InternalError'],
      [500, 'InternalError'],
      [500, 'InternalError'],
    ];
    seen.length = 0;
    const down = await storage.put('bucket-a', 'k.csv', Buffer.from('x'), { contentType: 'text/csv' }).catch((e) => e);
    expect(isStorageError(down, 'Unavailable')).toBe(true);
    expect((down as { retryable: boolean }).retryable).toBe(true);
    expect(seen).toHaveLength(4);
    expect(logs.events('s3_upload_error').length).toBe(2);
    storage.close();
  });

  it('stops at once when the caller aborts, without retrying', async () => {
    const { storage } = storageAt();
    script = [[200, undefined, 2_000]];
    seen.length = 0;
    const controller = new AbortController();
    setTimeout(() => controller.abort(new Error('shutting down')), 100);
    const started = Date.now();
    const err = await storage
      .put('bucket-a', 'k.csv', Buffer.from('x'), { contentType: 'text/csv', signal: controller.signal })
      .catch((e) => e);
    expect(isStorageError(err, 'Aborted')).toBe(true);
    expect(Date.now() - started).toBeLessThan(1_500);
    expect(seen).toHaveLength(1);
    storage.close();
  });

  it('is refused by a server that checks the signature when the secret is wrong (RGW)', async () => {
    const { storage } = makeStorage({ S3_SECRET_KEY: 'not-the-secret', S3_RETRY_ATTEMPTS: '1' });
    const err = await storage
      .put('any-bucket', 'k.txt', Buffer.from('x'), { contentType: 'text/plain' })
      .catch((e) => e);
    expect(isStorageError(err, 'AccessDenied')).toBe(true);
    storage.close();
  });
});
