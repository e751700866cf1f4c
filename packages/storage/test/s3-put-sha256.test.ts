import { createHash } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { makeStorage, removeBucket, testBucket } from './support';

// A caller that already hashed its body (acquisition-worker: the digest goes into x-amz-meta-sha256)
// passes it, so the body is not hashed again for the result or the SigV4 payload hash.
const { storage, config } = makeStorage();
const bucket = testBucket('sha');
const body = Buffer.alloc(256 * 1024, 7);
const sha256 = createHash('sha256').update(body).digest('hex');

beforeAll(async () => {
  await storage.ensureBucket(bucket);
});
afterAll(async () => {
  await removeBucket(storage, config, bucket);
  storage.close();
});

it('stores the body with a precomputed digest and reports it', async () => {
  const out = await storage.put(bucket, 'pre/ok.bin', body, { contentType: 'application/octet-stream', sha256 });
  expect(out).toMatchObject({ size: body.length, sha256 });
  expect((await storage.head(bucket, 'pre/ok.bin'))?.size).toBe(body.length);
});

it('fails the upload when the digest does not match the body: the server checks the signed hash', async () => {
  const wrong = createHash('sha256').update('something else').digest('hex');
  await expect(
    storage.put(bucket, 'pre/bad.bin', body, { contentType: 'application/octet-stream', sha256: wrong }),
  ).rejects.toMatchObject({ name: 'StorageError' });
  expect(await storage.exists(bucket, 'pre/bad.bin')).toBe(false);
});
