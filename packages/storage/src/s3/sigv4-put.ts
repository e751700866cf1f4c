import http from 'node:http';
import https from 'node:https';
import { amzDate, credentialScope, objectLocation, type SigV4Credentials, signCanonicalRequest } from './sigv4';

// PutObject of a buffer without the SDK: its middleware stack costs ~2 ms of CPU per request here,
// as much as RGW spends storing a small object. An acquisition stores 14 objects per task, a report 2;
// the signature (header auth, signed payload hash) is what the SDK would send.

export interface SigV4PutRequest extends SigV4Credentials {
  endpoint: string;
  forcePathStyle: boolean;
  bucket: string;
  key: string;
  /** Hex SHA-256 of the body: signed, and checked by the server against what it receives. */
  payloadSha256: string;
  contentLength: number;
  /** Other headers to send and sign: content-type, content-disposition, x-amz-meta-*. Names lower case. */
  headers: Record<string, string>;
  now: Date;
}

export interface SignedRequest {
  url: string;
  headers: Record<string, string>;
}

const canonicalValue = (v: string) => v.trim().replace(/\s+/g, ' ');

/** Every header sent is signed but Content-Length, which the signed payload hash already pins down. */
export function signPut(req: SigV4PutRequest): SignedRequest {
  const { protocol, host, path } = objectLocation(req.endpoint, req.forcePathStyle, req.bucket, req.key);
  const { amzDate: date, day } = amzDate(req.now);
  const headers: Record<string, string> = {
    ...req.headers,
    host,
    'x-amz-content-sha256': req.payloadSha256,
    'x-amz-date': date,
  };
  if (req.sessionToken) headers['x-amz-security-token'] = req.sessionToken;
  const names = Object.keys(headers).sort();
  const canonicalHeaders = names.map((n) => `${n}:${canonicalValue(headers[n]!)}\n`).join('');
  const signedHeaders = names.join(';');
  const signature = signCanonicalRequest(
    req,
    date,
    `PUT\n${path}\n\n${canonicalHeaders}\n${signedHeaders}\n${req.payloadSha256}`,
  );
  headers['content-length'] = String(req.contentLength);
  headers.authorization = `AWS4-HMAC-SHA256 Credential=${req.accessKeyId}/${credentialScope(day, req.region)}, SignedHeaders=${signedHeaders}, Signature=${signature}`;
  return { url: `${protocol}//${host}${path}`, headers };
}

/** An S3 error answer, shaped like the SDK's errors so that toStorageError classifies both alike. */
export class S3ResponseError extends Error {
  readonly $metadata: { httpStatusCode: number };
  constructor(status: number, code: string | undefined, message: string | undefined) {
    super(message || `S3 answered ${status}`);
    this.name = code || `Http${status}`;
    this.$metadata = { httpStatusCode: status };
  }
}

export interface SendOptions {
  agent: { http: http.Agent; https: https.Agent };
  signal?: AbortSignal;
  /** Socket inactivity limit: a stalled request fails (and is retried) instead of hanging. */
  timeoutMs: number;
}

/** Sends a signed PUT; resolves with the ETag on 2xx, rejects with S3ResponseError or the network error. */
export function sendPut(signed: SignedRequest, body: Buffer, options: SendOptions): Promise<{ etag: string }> {
  return new Promise((resolve, reject) => {
    const secure = signed.url.startsWith('https:');
    const req = (secure ? https : http).request(signed.url, {
      method: 'PUT',
      headers: signed.headers,
      agent: secure ? options.agent.https : options.agent.http,
      signal: options.signal,
      timeout: options.timeoutMs,
    });
    req.on('timeout', () => req.destroy(Object.assign(new Error('S3 request timed out'), { code: 'ETIMEDOUT' })));
    req.on('error', reject);
    req.on('response', (res) => {
      const status = res.statusCode ?? 0;
      if (status >= 200 && status < 300) {
        res.resume();
        res.on('end', () => resolve({ etag: String(res.headers.etag ?? '') }));
        res.on('error', reject);
        return;
      }
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.length < 64 && chunks.push(c));
      res.on('error', reject);
      res.on('end', () => {
        const xml = Buffer.concat(chunks).toString('utf8');
        const tag = (name: string) => new RegExp(`<${name}>([^<]*)</${name}>`).exec(xml)?.[1];
        reject(new S3ResponseError(status, tag('Code'), tag('Message')));
      });
    });
    req.end(body);
  });
}
