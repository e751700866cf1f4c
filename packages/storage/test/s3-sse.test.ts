// Server-side encryption on every write path, against RGW. This Ceph release stores SSE-KMS (with its
// testing key backend, configured by scripts/s3/start-rgw.sh) but has no SSE-S3 backend: AES256 is
// accepted and not reported, so for AES256 a recording proxy in front of RGW shows the header is sent
// and signed (RGW checks the signature, so a header outside it would fail the request).
import { createServer, request, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { HeadObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { makeStorage, removeBucket, testBucket } from './support';

const KMS = { S3_SSE: 'aws:kms', S3_SSE_KMS_KEY_ID: 'pulse-test-key', S3_PART_SIZE_MB: '5' };
const { storage, config } = makeStorage(KMS);
const bucket = testBucket('sse');
const raw = new S3Client({
  endpoint: config.endpoint,
  region: config.region,
  forcePathStyle: true,
  credentials: config.credentials,
});

const headSse = async (key: string) => {
  const out = await raw.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
  return { algorithm: out.ServerSideEncryption, kmsKeyId: out.SSEKMSKeyId };
};

function chunks(total: number): Readable {
  let sent = 0;
  return new Readable({
    read() {
      if (sent >= total) return this.push(null);
      const n = Math.min(1024 * 1024, total - sent);
      sent += n;
      this.push(Buffer.alloc(n, sent % 251));
    },
  });
}

beforeAll(() => storage.ensureBucket(bucket));
afterAll(async () => {
  await removeBucket(storage, config, bucket);
  storage.close();
  raw.destroy();
});

describe('S3_SSE=aws:kms (stored encrypted by RGW)', () => {
  const encrypted = { algorithm: 'aws:kms', kmsKeyId: 'pulse-test-key' };

  it('buffer PUT', async () => {
    await storage.put(bucket, 'exports/buf.csv', Buffer.from('a,b\n'), { contentType: 'text/csv' });
    expect(await headSse('exports/buf.csv')).toEqual(encrypted);
  });

  it('multipart upload of a stream', async () => {
    const put = await storage.put(bucket, 'exports/big.csv', chunks(11 * 1024 * 1024), { contentType: 'text/csv' });
    expect(put.size).toBe(11 * 1024 * 1024);
    expect(await headSse('exports/big.csv')).toEqual(encrypted);
  });

  it('browser upload through a presigned PUT: the encryption headers are signed and handed out', async () => {
    const key = 'artifacts/a1/f1.txt';
    const presigned = await storage.presignPut(bucket, key, { contentType: 'text/plain', contentLength: 5 });
    expect(presigned.headers).toEqual({
      'content-type': 'text/plain',
      'x-amz-server-side-encryption': 'aws:kms',
      'x-amz-server-side-encryption-aws-kms-key-id': 'pulse-test-key',
    });
    // Leaving the encryption out breaks the signature: an uploader can't store the object unencrypted.
    const { 'x-amz-server-side-encryption': _, ...withoutSse } = presigned.headers ?? {};
    const refused = await fetch(presigned.url, { method: 'PUT', headers: withoutSse, body: 'hello' });
    expect(refused.status).toBe(403);
    const res = await fetch(presigned.url, { method: 'PUT', headers: presigned.headers, body: 'hello' });
    expect(res.status).toBe(200);
    expect(await headSse(key)).toEqual(encrypted);
    // And it reads back through a presigned GET.
    const back = await fetch((await storage.presignGet(bucket, key)).url);
    expect(await back.text()).toBe('hello');
  });

  it('shows the setting, without the key id, in the health detail', async () => {
    const health = await storage.health([bucket]);
    expect(health.detail).toMatchObject({
      credentials: 'static',
      encryption: { algorithm: 'aws:kms', kmsKeyId: 'configured' },
      manageBuckets: true,
    });
    expect(JSON.stringify(health)).not.toContain('pulse-test-key');
  });
});

describe('S3_SSE=AES256 (sent and signed; this RGW does not report it)', () => {
  let proxy: Server;
  const seen: { method: string; url: string; headers: IncomingHttpHeaders; status: number }[] = [];

  beforeAll(async () => {
    const target = new URL(config.endpoint!);
    // Forwards each request to RGW unchanged and records it with RGW's answer.
    proxy = createServer((req, res) => {
      const upstream = request(
        { host: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers },
        (answer) => {
          seen.push({
            method: req.method ?? '',
            url: req.url ?? '',
            headers: req.headers,
            status: answer.statusCode ?? 0,
          });
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(res);
        },
      );
      req.pipe(upstream);
    });
    await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  });
  afterAll(async () => {
    proxy.closeAllConnections();
    await new Promise((resolve) => proxy.close(resolve));
  });

  it('on the buffer PUT and on the multipart upload', async () => {
    const port = (proxy.address() as AddressInfo).port;
    const { storage: viaProxy } = makeStorage({
      S3_ENDPOINT: `http://127.0.0.1:${port}`,
      S3_SSE: 'AES256',
      S3_PART_SIZE_MB: '5',
    });
    try {
      await viaProxy.put(bucket, 'reports/a.pdf', Buffer.from('%PDF'), { contentType: 'application/pdf' });
      await viaProxy.put(bucket, 'exports/b.csv', chunks(6 * 1024 * 1024), { contentType: 'text/csv' });
    } finally {
      viaProxy.close();
    }
    const writes = seen.filter(
      (r) =>
        (r.method === 'PUT' && !r.url.includes('partNumber=')) || (r.method === 'POST' && r.url.includes('uploads')),
    );
    // The single PUT and the CreateMultipartUpload: encryption is set when the object is created.
    expect(writes.map((r) => [r.method, r.url.split('?')[0], r.status])).toEqual([
      ['PUT', `/${bucket}/reports/a.pdf`, 200],
      ['POST', `/${bucket}/exports/b.csv`, 200],
    ]);
    for (const w of writes) {
      expect(w.headers['x-amz-server-side-encryption']).toBe('AES256');
      expect(w.headers.authorization).toMatch(/SignedHeaders=[^,]*x-amz-server-side-encryption/);
    }
  });
});
