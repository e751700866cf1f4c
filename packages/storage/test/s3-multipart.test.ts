import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import v8 from 'node:v8';
import vm from 'node:vm';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { isStorageError } from '../src/index';
import { assertLogsClean, makeStorage, removeBucket, testBucket } from './support';

const MB = 1024 * 1024;
const PART = 5 * MB;
const QUEUE = 2;
const { storage, config, logs } = makeStorage({ S3_PART_SIZE_MB: '5', S3_QUEUE_SIZE: '2' });
const bucket = testBucket('mpu');

// Lets the sampler measure live memory rather than garbage V8 hasn't collected (or swept) yet.
v8.setFlagsFromString('--expose-gc');
v8.setFlagsFromString('--no-concurrent-array-buffer-sweeping');
const gc = vm.runInNewContext('gc') as () => void;

/** `total` bytes made on demand in 64 KiB chunks (never all in memory); `stallAfter` stops producing. */
function generated(total: number, stallAfter = Number.POSITIVE_INFINITY): Readable {
  let sent = 0;
  return new Readable({
    read() {
      if (sent >= stallAfter) return; // a source that stops producing, like a stuck DB cursor
      if (sent >= total) return void this.push(null);
      const n = Math.min(64 * 1024, total - sent);
      this.push(Buffer.alloc(n, (sent / (64 * 1024)) % 251));
      sent += n;
    },
  });
}

async function sha256Of(stream: Readable): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of stream) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

async function incompleteUploads(): Promise<string[]> {
  const ids: string[] = [];
  for await (const u of storage.listMultipartUploads(bucket)) ids.push(u.uploadId);
  return ids;
}

beforeAll(() => storage.ensureBucket(bucket));
afterAll(async () => {
  await removeBucket(storage, config, bucket);
  storage.close();
});

describe('s3 multipart stream upload', () => {
  // 64 MB rather than 20: lib-storage keeps up to about partSize × (queueSize + 2) alive (parts in
  // flight, the part being assembled, the buffer a leftover slice pins), 20 MB here, so only a body
  // well above that tells "bounded" from "buffered whole".
  it('streams 64 MB in 5 MB parts with memory bounded by the part buffers, not the body size', async () => {
    const size = 64 * MB;
    const expectedSha = await sha256Of(generated(size));
    gc();
    const base = process.memoryUsage();
    let peakArrayBuffers = 0;
    let peakRss = 0;
    const sampler = setInterval(() => {
      gc();
      const m = process.memoryUsage();
      peakArrayBuffers = Math.max(peakArrayBuffers, m.arrayBuffers - base.arrayBuffers);
      peakRss = Math.max(peakRss, m.rss - base.rss);
    }, 100);
    const progress: number[] = [];
    try {
      const put = await storage.put(bucket, 'exports/big.bin', generated(size), {
        contentType: 'application/octet-stream',
        onProgress: (n) => progress.push(n),
      });
      expect(put.size).toBe(size);
      expect(put.sha256).toBe(expectedSha);
      // RGW's CompleteMultipartUpload ETag is empty; the real one comes from HEAD: "<md5>-<parts>".
      expect(put.etag).toMatch(/^"[0-9a-f]{32}-13"$/);
    } finally {
      clearInterval(sampler);
    }
    // Buffers are what a buffered-whole body would show up in (>= 64 MB); rss also counts allocator
    // slack that is never returned, so it only gets a loose sanity bound.
    expect(peakArrayBuffers).toBeLessThan(PART * (QUEUE + 3));
    expect(peakRss).toBeLessThan(2 * size);
    expect(progress.at(-1)).toBe(size);

    const head = await storage.head(bucket, 'exports/big.bin');
    expect(head?.size).toBe(size);
    const got = await storage.get(bucket, 'exports/big.bin');
    expect(await sha256Of(got.body)).toBe(expectedSha);
    expect(await incompleteUploads()).toEqual([]);
  });

  it('an AbortSignal mid-stream aborts the multipart upload: none is left behind', async () => {
    const controller = new AbortController();
    let partsDone = 0;
    const pending = storage.put(bucket, 'exports/aborted.bin', generated(30 * MB, 12 * MB), {
      contentType: 'application/octet-stream',
      signal: controller.signal,
      onProgress: () => {
        partsDone++;
      },
    });
    // Wait until the upload really exists server-side with a part in it, then cancel.
    for (let i = 0; i < 200 && (partsDone === 0 || (await incompleteUploads()).length === 0); i++) {
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(await incompleteUploads()).toHaveLength(1);
    controller.abort();
    const err = await pending.catch((e: unknown) => e);
    expect(isStorageError(err, 'Aborted')).toBe(true);
    expect(await incompleteUploads()).toEqual([]);
    expect(await storage.exists(bucket, 'exports/aborted.bin')).toBe(false);
  });

  it('a source that fails mid-stream fails the upload and leaves no incomplete upload', async () => {
    let sent = 0;
    const failing = new Readable({
      read() {
        if (sent >= 7 * MB) return void this.destroy(new Error('cursor lost'));
        this.push(Buffer.alloc(64 * 1024, 1));
        sent += 64 * 1024;
      },
    });
    const err = await storage
      .put(bucket, 'exports/failed.bin', failing, { contentType: 'text/plain' })
      .catch((e: unknown) => e);
    expect(isStorageError(err)).toBe(true);
    expect(await incompleteUploads()).toEqual([]);
    expect(logs.events('s3_upload_error').length).toBeGreaterThanOrEqual(1);
  });

  it('logs no keys or signatures', () => {
    assertLogsClean(logs, ['exports/big.bin', 'exports/aborted.bin', 'exports/failed.bin']);
  });
});
