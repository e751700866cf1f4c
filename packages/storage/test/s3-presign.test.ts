import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { contentDisposition, MAX_PRESIGN_EXPIRY_S } from '../src/index';
import { assertLogsClean, makeStorage, removeBucket, testBucket } from './support';

// The public endpoint differs from the internal one (as in compose), but still reaches RGW.
const publicEndpoint = (process.env.S3_ENDPOINT ?? '').replace('127.0.0.1', 'localhost');
const { storage, config, logs } = makeStorage({
  S3_PUBLIC_ENDPOINT: publicEndpoint,
  S3_CHECKSUM_MODE: 'when_supported',
});
const bucket = testBucket('pre');
const key = 'reports/2026-10/follower-1/report_2026-10.pdf';
const body = Buffer.from('%PDF-1.4 pretend report\n');
const filename = 'Ünïcødé report 東京.pdf';

const fetchUrl = (url: string, init?: RequestInit) => fetch(url, { ...init, signal: AbortSignal.timeout(15_000) });

function tamperSignature(url: string): string {
  const u = new URL(url);
  const sig = u.searchParams.get('X-Amz-Signature')!;
  u.searchParams.set('X-Amz-Signature', sig.slice(0, -1) + (sig.endsWith('0') ? '1' : '0'));
  return u.toString();
}

beforeAll(async () => {
  await storage.ensureBucket(bucket);
  await storage.put(bucket, key, body, { contentType: 'application/pdf' });
});
afterAll(async () => {
  await removeBucket(storage, config, bucket);
  storage.close();
});

describe('s3 presigned URLs', () => {
  it('presigned GET works from plain fetch, on the public endpoint, with a non-ASCII download name', async () => {
    const { url, expiresIn, expiresAt } = await storage.presignGet(bucket, key, {
      filename,
      contentType: 'application/pdf',
    });
    expect(new URL(url).host).toBe(new URL(publicEndpoint).host);
    expect(expiresIn).toBe(config.presignExpirySec);
    expect(expiresAt.getTime()).toBeGreaterThan(Date.now());

    const res = await fetchUrl(url);
    expect(res.status).toBe(200);
    expect(Buffer.from(await res.arrayBuffer())).toEqual(body);
    expect(res.headers.get('content-type')).toBe('application/pdf');
    const disposition = res.headers.get('content-disposition') ?? '';
    expect(disposition).toBe(contentDisposition(filename, 'attachment'));
    expect(disposition).toMatch(/^attachment; filename="[\x20-\x7e]+"; /);
    const encoded = /filename\*=UTF-8''([^;]+)/.exec(disposition)?.[1];
    expect(decodeURIComponent(encoded ?? '')).toBe(filename);
  });

  it('a tampered signature is refused with 403', async () => {
    const { url } = await storage.presignGet(bucket, key);
    expect((await fetchUrl(url)).status).toBe(200);
    const res = await fetchUrl(tamperSignature(url));
    expect(res.status).toBe(403);
    expect(await res.text()).toContain('SignatureDoesNotMatch');
  });

  it('a signature for one key does not open another', async () => {
    await storage.put(bucket, 'reports/other.pdf', body, { contentType: 'application/pdf' });
    const { url } = await storage.presignGet(bucket, key);
    const moved = url.replace(key, 'reports/other.pdf');
    expect(moved).not.toBe(url);
    expect((await fetchUrl(moved)).status).toBe(403);
  });

  it('an expired URL is refused with 403', async () => {
    const { url, expiresIn } = await storage.presignGet(bucket, key, { expiresIn: 1 });
    expect(expiresIn).toBe(1);
    await new Promise((r) => setTimeout(r, 2_000));
    expect((await fetchUrl(url)).status).toBe(403);
  });

  it('clamps the expiry to 1 s … 7 days', async () => {
    expect((await storage.presignGet(bucket, key, { expiresIn: 30 * 24 * 3600 })).expiresIn).toBe(MAX_PRESIGN_EXPIRY_S);
    expect((await storage.presignGet(bucket, key, { expiresIn: 0 })).expiresIn).toBe(1);
    const week = new URL((await storage.presignGet(bucket, key, { expiresIn: 10 ** 9 })).url);
    expect(week.searchParams.get('X-Amz-Expires')).toBe(String(MAX_PRESIGN_EXPIRY_S));
  });

  it('presigned PUT carries no checksum and works from plain fetch (even with checksums on for the SDK)', async () => {
    const upload = Buffer.from('uploaded from a browser\n');
    const putKey = 'artifacts/a-1/f-1.txt';
    const { url, headers } = await storage.presignPut(bucket, putKey, {
      contentType: 'text/plain',
      contentLength: upload.length,
    });
    const params = [...new URL(url).searchParams.keys()].map((k) => k.toLowerCase());
    expect(params.filter((k) => k.startsWith('x-amz-checksum') || k.startsWith('x-amz-sdk-checksum'))).toEqual([]);

    const res = await fetchUrl(url, { method: 'PUT', body: upload, headers });
    expect(res.status).toBe(200);
    const head = await storage.head(bucket, putKey);
    expect(head).toMatchObject({ size: upload.length, contentType: 'text/plain' });

    // The signature binds the content type: a different one is refused.
    const wrongType = await fetchUrl(url, { method: 'PUT', body: upload, headers: { 'content-type': 'text/html' } });
    expect(wrongType.status).toBe(403);
  });

  it('logs presign events without URLs, signatures or keys', () => {
    const ok = logs.events('s3_presign_ok');
    expect(ok.length).toBeGreaterThanOrEqual(5);
    expect(ok[0]).toMatchObject({ bucket, method: 'GET' });
    assertLogsClean(logs, [key, 'artifacts/a-1/f-1.txt', 'reports/other.pdf']);
    expect(logs.text).not.toContain(publicEndpoint);
  });
});
