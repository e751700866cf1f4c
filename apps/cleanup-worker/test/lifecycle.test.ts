import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { sleep } from '@pulse/runtime';
import { desiredLifecycle, syncLifecycle } from '../src/lifecycle';
import { CleanupReport } from '../src/report';
import { type Harness, putObjects, startHarness } from './support';

const newReport = (dryRun = false) =>
  new CleanupReport({ reason: 'test', dryRun, startedAt: new Date(), sampleSize: 0 });

describe('lifecycle rules', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ EXPORT_RETENTION_DAYS: '7', REPORT_RETENTION_DAYS: '180', RAW_IQ_RETENTION_DAYS: '1' });
  });
  afterAll(() => h.close());

  it('makes every bucket match the configuration, idempotently', async () => {
    const dry = newReport(true);
    await syncLifecycle(h.deps({ dryRun: true }), dry);
    expect(dry.tally(h.buckets.exports).lifecycle).toBe('would_change');
    expect(await h.storage.getLifecycle(h.buckets.exports)).toBeNull();

    const first = newReport();
    await syncLifecycle(h.deps(), first);
    expect(first.issues).toEqual([]);
    expect(first.tally(h.buckets.exports).lifecycle).toBe('changed');
    expect(first.tally(h.buckets.reports).lifecycle).toBe('changed');
    expect(first.tally(h.buckets.rawIq).lifecycle).toBe('changed');
    // Finished uploads are kept; staging objects and incomplete multipart uploads are not.
    expect(first.tally(h.buckets.artifacts).lifecycle).toBe('changed');
    const artifactRules = (await h.storage.getLifecycle(h.buckets.artifacts)) ?? [];
    expect(artifactRules.sort((a, b) => a.id.localeCompare(b.id))).toEqual([
      {
        id: 'pulse-artifacts-incomplete-uploads',
        prefix: 'artifacts/',
        expirationDays: undefined,
        abortIncompleteMultipartDays: 1,
      },
      { id: 'pulse-upload-staging', prefix: 'uploads/', expirationDays: 1, abortIncompleteMultipartDays: 1 },
    ]);
    expect(await h.storage.getLifecycle(h.buckets.exports)).toEqual([
      { id: 'pulse-exports-retention', prefix: 'exports/', expirationDays: 8, abortIncompleteMultipartDays: 1 },
    ]);

    const second = newReport();
    await syncLifecycle(h.deps(), second);
    for (const bucket of Object.values(h.buckets))
      expect({ bucket, state: second.tally(bucket).lifecycle }).toEqual({ bucket, state: 'unchanged' });
    expect(desiredLifecycle(h.config).get(h.buckets.rawIq)).toEqual([
      { id: 'pulse-raw-iq-retention', prefix: 'sessions/', expirationDays: 2, abortIncompleteMultipartDays: 1 },
    ]);
  });

  it('writes no rules with S3_MANAGE_BUCKETS=false (storage:setup owns them)', async () => {
    const config = { ...h.config, s3: { ...h.config.s3, manageBuckets: false } };
    await h.storage.putLifecycle(h.buckets.reports, []);
    const report = newReport();
    await syncLifecycle(h.deps({ config }), report);
    expect(report.tally(h.buckets.reports).lifecycle).toBe('not_checked');
    expect(await h.storage.getLifecycle(h.buckets.reports)).toBeNull();
  });

  it('really expires an object on RGW (test mode: one lifecycle day is 10 s)', async () => {
    const bucket = h.buckets.rawIq;
    const expiring = 'sessions/lifecycle/websdr_1.npy';
    const outside = 'other/kept.bin';
    await syncLifecycle(h.deps(), newReport());
    await putObjects(h.storage, bucket, [expiring, outside]);

    // Raw IQ retention 1 day → rule of 2 days → about 30 s on an idle test RGW; its lifecycle thread
    // walks every bucket with rules in turn, so on a busy shared server it can take minutes.
    const deadline = Date.now() + 270_000;
    while (Date.now() < deadline && (await h.storage.exists(bucket, expiring))) await sleep(2000);
    expect(await h.storage.exists(bucket, expiring)).toBe(false);
    expect(await h.storage.exists(bucket, outside)).toBe(true);
  }, 300_000);
});
