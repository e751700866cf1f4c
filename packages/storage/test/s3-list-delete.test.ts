import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { makeStorage, removeBucket, testBucket } from './support';

const { storage, config, logs } = makeStorage();
const bucket = testBucket('list');
const COUNT = 1003; // past the 1000-key page and batch limits
const keys = Array.from({ length: COUNT }, (_, i) => `artifacts/run-1/${String(i).padStart(5, '0')}.json`);

async function putAll(): Promise<void> {
  const queue = [...keys];
  const worker = async () => {
    for (let key = queue.shift(); key; key = queue.shift()) {
      await storage.put(bucket, key, Buffer.from('{}'), { contentType: 'application/json' });
    }
  };
  await Promise.all(Array.from({ length: 32 }, worker));
}

async function listKeys(prefix: string, pageSize?: number): Promise<string[]> {
  const out: string[] = [];
  for await (const o of storage.list(bucket, prefix, { pageSize })) out.push(o.key);
  return out;
}

beforeAll(async () => {
  await storage.ensureBucket(bucket);
  await putAll();
  await storage.put(bucket, 'other/outside.json', Buffer.from('{}'), { contentType: 'application/json' });
}, 120_000);
afterAll(async () => {
  await removeBucket(storage, config, bucket);
  storage.close();
});

describe('s3 list and deleteMany past 1000 keys', () => {
  it('lists every key under a prefix across pages, in order', async () => {
    expect(await listKeys('artifacts/', 250)).toEqual(keys);
    expect(await listKeys('artifacts/')).toEqual(keys); // default page size: 1000 + 3
    expect(await listKeys('other/')).toEqual(['other/outside.json']);
  });

  it('stops listing when the signal aborts', async () => {
    const controller = new AbortController();
    let seen = 0;
    const err = await (async () => {
      for await (const _ of storage.list(bucket, 'artifacts/', { pageSize: 100, signal: controller.signal })) {
        if (++seen === 150) controller.abort();
      }
    })().catch((e: unknown) => e);
    expect((err as { code?: string }).code).toBe('Aborted');
    expect(seen).toBe(200);
  });

  it('deletes them all in batches of 1000 and reports each key', async () => {
    const result = await storage.deleteMany(bucket, keys);
    expect(result.errors).toEqual([]);
    expect(result.unknown).toEqual([]);
    expect(result.deleted.sort()).toEqual(keys);
    expect(await listKeys('artifacts/')).toEqual([]);
    expect(await listKeys('other/')).toEqual(['other/outside.json']);
  });

  it('a failed batch request puts its keys in `unknown` instead of throwing', async () => {
    const result = await storage.deleteMany(testBucket('missing'), ['exports/a.json', 'exports/b.json']);
    expect(result).toEqual({ deleted: [], errors: [], unknown: ['exports/a.json', 'exports/b.json'] });
    expect(logs.events('s3_delete_error')[0]).toMatchObject({ code: 'BucketNotFound', count: 2 });
  });
});

describe('a bucket shared with other software', () => {
  it('never deletes or aborts outside Pulse prefixes, whatever the caller passes', async () => {
    const foreign = ['other/outside.json', 'exportsX/near-miss.csv', 'sessions'];
    await storage.put(bucket, 'exportsX/near-miss.csv', Buffer.from('x'), { contentType: 'text/csv' });
    await storage.put(bucket, 'sessions', Buffer.from('x'), { contentType: 'text/plain' });
    await storage.put(bucket, 'exports/ours.csv', Buffer.from('x'), { contentType: 'text/csv' });

    const result = await storage.deleteMany(bucket, [...foreign, 'exports/ours.csv']);
    expect(result.deleted).toEqual(['exports/ours.csv']);
    expect(result.errors.map((e) => [e.key, e.code])).toEqual(foreign.map((k) => [k, 'InvalidKey']));
    await expect(storage.delete(bucket, 'other/outside.json')).rejects.toMatchObject({ code: 'InvalidKey' });
    expect(await storage.deleteQuietly(bucket, 'other/outside.json')).toBe('ERROR');
    await expect(storage.abortMultipartUpload(bucket, 'other/big.bin', 'id')).rejects.toMatchObject({
      code: 'InvalidKey',
    });
    for (const key of foreign)
      expect({ key, exists: await storage.exists(bucket, key) }).toEqual({ key, exists: true });
  });
});
