import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { isStorageError } from '../src/index';
import { assertLogsClean, makeStorage, removeBucket, testBucket } from './support';

const observed: { op: string; ok: boolean }[] = [];
const { storage, config, logs } = makeStorage({}, { observe: (op, _ms, ok) => observed.push({ op, ok }) });
const bucket = testBucket('obj');
const usedKeys = [
  'exports/round-trip.csv',
  'exports/small-stream.ndjson',
  'exports/gone.csv',
  'uploads/a/staged.csv',
  'artifacts/a/final.csv',
];

beforeAll(async () => {
  await storage.ensureBucket(bucket);
  await storage.ensureBucket(bucket); // idempotent
});
afterAll(async () => {
  await removeBucket(storage, config, bucket);
  storage.close();
});

describe('s3 objects', () => {
  it('round-trips a Buffer with content type and metadata', async () => {
    const key = usedKeys[0]!;
    const body = Buffer.from('id,value\n1,2\n');
    const put = await storage.put(bucket, key, body, {
      contentType: 'text/csv',
      metadata: { exportid: 'e-1' },
      contentDisposition: 'attachment; filename="x.csv"',
    });
    expect(put.size).toBe(body.length);
    expect(put.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(put.etag).toMatch(/^"[0-9a-f]{32}"$/);

    const head = await storage.head(bucket, key);
    expect(head).toMatchObject({ key, size: body.length, contentType: 'text/csv', metadata: { exportid: 'e-1' } });
    expect(head?.etag).toBe(put.etag);
    expect(await storage.exists(bucket, key)).toBe(true);

    const got = await storage.get(bucket, key);
    expect(Buffer.concat(await got.body.toArray()).toString()).toBe(body.toString());
    expect(got.info.contentType).toBe('text/csv');

    const part = await storage.get(bucket, key, { range: 'bytes=3-7' });
    expect(Buffer.concat(await part.body.toArray()).toString()).toBe('value');
  });

  it('stores a small stream of known length in one request and reports its sha256', async () => {
    const key = usedKeys[1]!;
    const lines = ['{"a":1}\n', '{"a":2}\n'];
    const put = await storage.put(bucket, key, Readable.from(lines.map((l) => Buffer.from(l))), {
      contentType: 'application/x-ndjson',
    });
    const { createHash } = await import('node:crypto');
    expect(put.size).toBe(lines.join('').length);
    expect(put.sha256).toBe(createHash('sha256').update(lines.join('')).digest('hex'));
    expect(put.etag).not.toBe('');
  });

  it('copies server-side, keeping type and metadata; a later write to the source leaves the copy alone', async () => {
    const [from, to] = [usedKeys[3]!, usedKeys[4]!];
    await storage.put(bucket, from, Buffer.from('v1'), { contentType: 'text/csv', metadata: { a: 'b' } });
    const copied = await storage.copy(bucket, from, to);
    expect(copied).toMatchObject({ key: to, size: 2, contentType: 'text/csv', metadata: { a: 'b' } });
    await storage.put(bucket, from, Buffer.from('v2'), { contentType: 'text/csv' });
    const kept = await storage.get(bucket, to);
    expect(Buffer.concat(await kept.body.toArray()).toString()).toBe('v1');
  });

  it('head is null and get is NotFound for a missing object', async () => {
    expect(await storage.head(bucket, 'exports/missing.csv')).toBeNull();
    expect(await storage.exists(bucket, 'exports/missing.csv')).toBe(false);
    const err = await storage.get(bucket, 'exports/missing.csv').catch((e: unknown) => e);
    expect(isStorageError(err, 'NotFound')).toBe(true);
  });

  it('deletes, and deleteQuietly reports outcomes without throwing', async () => {
    const key = usedKeys[2]!;
    await storage.put(bucket, key, Buffer.from('x'), { contentType: 'text/plain' });
    await storage.delete(bucket, key);
    expect(await storage.exists(bucket, key)).toBe(false);
    expect(await storage.deleteQuietly(bucket, key)).toBe('DELETED'); // S3 deletes are idempotent
    expect(await storage.deleteQuietly(testBucket('nobucket'), key)).toBe('ERROR');
  });

  it('refuses keys that try path tricks', async () => {
    for (const key of ['', '/abs', 'a/../b', 'a//b']) {
      const err = await storage
        .put(bucket, key, Buffer.from('x'), { contentType: 'text/plain' })
        .catch((e: unknown) => e);
      expect(isStorageError(err, 'InvalidKey')).toBe(true);
    }
  });

  it('logs upload and delete events without keys or signatures, and feeds the metrics hook', () => {
    expect(logs.events('s3_upload_start').length).toBeGreaterThanOrEqual(2);
    const ok = logs.events('s3_upload_ok')[0]!;
    expect(ok).toMatchObject({ bucket, size: 13 });
    expect(typeof ok.durationMs).toBe('number');
    expect(logs.events('s3_delete_ok').length).toBeGreaterThanOrEqual(1);
    expect(logs.events('s3_delete_error').length).toBeGreaterThanOrEqual(1);
    expect(observed).toContainEqual({ op: 'put', ok: true });
    expect(observed).toContainEqual({ op: 'head', ok: true });
    assertLogsClean(logs, usedKeys);
  });
});
