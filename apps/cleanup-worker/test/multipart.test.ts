import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { sleep } from '@pulse/runtime';
import { abortStaleUploads } from '../src/multipart';
import { CleanupReport } from '../src/report';
import { HOUR, type Harness, startHarness } from './support';

const newReport = () => new CleanupReport({ reason: 'test', dryRun: false, startedAt: new Date(), sampleSize: 5 });

describe('stale multipart uploads', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ MULTIPART_MAX_AGE_HOURS: '24', S3_PART_SIZE_MB: '5' });
  });
  afterAll(() => h.close());

  it('aborts an incomplete upload older than the threshold and keeps a recent one', async () => {
    const bucket = h.buckets.exports;
    // An uploader that stalls after its first part, like a worker that died mid-export:
    // the multipart upload exists on the server and nobody will complete or abort it.
    const source = new Readable({ read() {} });
    source.push(Buffer.alloc(5 * 1024 * 1024 + 1, 1));
    const upload = h.storage
      .put(bucket, 'exports/stalled.csv', source, { contentType: 'text/csv' })
      .catch((err: unknown) => err);
    const uploads = async () => {
      const found = [];
      for await (const u of h.storage.listMultipartUploads(bucket)) found.push(u);
      return found;
    };
    for (let i = 0; i < 100 && (await uploads()).length === 0; i++) await sleep(100);
    expect(await uploads()).toHaveLength(1);

    const recent = newReport();
    await abortStaleUploads(h.deps(), recent);
    expect(recent.tally(bucket).abortedUploads).toBe(0);
    expect(await uploads()).toHaveLength(1);

    const stale = newReport();
    await abortStaleUploads(h.deps({ now: () => new Date(Date.now() + 25 * HOUR) }), stale);
    expect(stale.tally(bucket).abortedUploads).toBe(1);
    expect(stale.issues).toEqual([]);
    expect(await uploads()).toHaveLength(0);

    source.destroy(new Error('test over'));
    await upload;
  });
});
