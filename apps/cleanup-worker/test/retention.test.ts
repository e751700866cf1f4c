import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { expireRetention } from '../src/retention';
import { CleanupReport } from '../src/report';
import { runCleanup } from '../src/run-cleanup';
import {
  assertNoKeysLogged,
  createExportJob,
  createFileRow,
  createUser,
  DAY,
  type Harness,
  putObjects,
  startHarness,
} from './support';

const newReport = (dryRun = false) =>
  new CleanupReport({ reason: 'test', dryRun, startedAt: new Date(), sampleSize: 10 });

describe('retention', () => {
  let h: Harness;
  let userId: string;
  beforeAll(async () => {
    h = await startHarness({ EXPORT_RETENTION_DAYS: '7', REPORT_RETENTION_DAYS: '180', RAW_IQ_RETENTION_DAYS: '30' });
    userId = await createUser(h.db);
  });
  afterAll(() => h.close());

  it('deletes an expired export object, marks its row deleted and its job expired; keeps a fresh one', async () => {
    const bucket = h.buckets.exports;
    const old = { key: 'exports/old-export.csv', createdAt: new Date(Date.now() - 8 * DAY) };
    const fresh = { key: 'exports/fresh-export.csv', createdAt: new Date(Date.now() - DAY) };
    await putObjects(h.storage, bucket, [old.key, fresh.key]);
    const oldFile = await createFileRow(h.db, {
      ownerId: userId,
      kind: 'export',
      bucket,
      objectKey: old.key,
      createdAt: old.createdAt,
      sizeBytes: 123,
    });
    const freshFile = await createFileRow(h.db, {
      ownerId: userId,
      kind: 'export',
      bucket,
      objectKey: fresh.key,
      createdAt: fresh.createdAt,
    });
    const oldJob = await createExportJob(h.db, { userId, fileId: oldFile });
    const freshJob = await createExportJob(h.db, { userId, fileId: freshFile });

    const result = await runCleanup(h.deps(), { reason: 'retention test' });

    expect(result.skipped).toBe(false);
    expect(await h.storage.exists(bucket, old.key)).toBe(false);
    expect(await h.storage.exists(bucket, fresh.key)).toBe(true);
    const oldRow = await h.db.prisma.artifactFile.findUniqueOrThrow({ where: { id: oldFile } });
    expect(oldRow.status).toBe('deleted');
    expect(oldRow.deletedAt).toBeInstanceOf(Date);
    expect((await h.db.prisma.artifactFile.findUniqueOrThrow({ where: { id: freshFile } })).status).toBe('ready');
    // The state the exports route reads to answer 410 (export-download-gone.test.ts follows the real route).
    expect((await h.db.prisma.exportJob.findUniqueOrThrow({ where: { id: oldJob } })).status).toBe('expired');
    expect((await h.db.prisma.exportJob.findUniqueOrThrow({ where: { id: freshJob } })).status).toBe('succeeded');

    const run = await h.db.prisma.cleanupRun.findFirstOrThrow({ where: { reason: 'retention test' } });
    expect(run.expiredFiles).toBe(1);
    expect(run.bytesFreed).toBe(123n);
    expect(run.dryRun).toBe(false);
    const logged = h.logs.events('cleanup_run').at(-1);
    expect(logged).toMatchObject({ expiredFiles: 1, reason: 'retention test' });
    assertNoKeysLogged(h.logs, [old.key, fresh.key]);
  });

  it('reclaims an unfinished upload past its deadline (row and staging object); keeps one still in time', async () => {
    const bucket = h.buckets.artifacts;
    const abandoned = 'uploads/a1/f1.pdf';
    const inTime = 'uploads/a2/f2.pdf';
    await putObjects(h.storage, bucket, [abandoned, inTime]);
    const oldRow = await createFileRow(h.db, {
      ownerId: userId,
      kind: 'upload',
      bucket,
      objectKey: abandoned,
      status: 'pending',
      expiresAt: new Date(Date.now() - 1000),
    });
    const liveRow = await createFileRow(h.db, {
      ownerId: userId,
      kind: 'upload',
      bucket,
      objectKey: inTime,
      status: 'pending',
      expiresAt: new Date(Date.now() + 3_600_000),
    });
    await runCleanup(h.deps(), { reason: 'pending uploads test' });
    expect(await h.storage.exists(bucket, abandoned)).toBe(false);
    expect(await h.storage.exists(bucket, inTime)).toBe(true);
    expect((await h.db.prisma.artifactFile.findUniqueOrThrow({ where: { id: oldRow } })).status).toBe('deleted');
    expect((await h.db.prisma.artifactFile.findUniqueOrThrow({ where: { id: liveRow } })).status).toBe('pending');
  });

  it('applies each kind its own retention and honours expires_at', async () => {
    const now = new Date();
    const ago = (days: number) => new Date(now.getTime() - days * DAY);
    const cases = [
      {
        kind: 'report' as const,
        bucket: h.buckets.reports,
        key: 'reports/2025-01/u/report_2025-01.pdf',
        createdAt: ago(181),
        expect: 'deleted',
      },
      {
        kind: 'report' as const,
        bucket: h.buckets.reports,
        key: 'reports/2026-05/u/report_2026-05.pdf',
        createdAt: ago(100),
        expect: 'ready',
      },
      {
        kind: 'acquisition' as const,
        bucket: h.buckets.rawIq,
        key: 'sessions/t1/websdr_1.npy',
        createdAt: ago(31),
        expect: 'deleted',
      },
      {
        kind: 'acquisition' as const,
        bucket: h.buckets.rawIq,
        key: 'sessions/t2/websdr_1.npy',
        createdAt: ago(29),
        expect: 'ready',
      },
      {
        kind: 'upload' as const,
        bucket: h.buckets.artifacts,
        key: 'artifacts/a1/f1.bin',
        createdAt: ago(400),
        expect: 'ready',
      },
      {
        kind: 'upload' as const,
        bucket: h.buckets.artifacts,
        key: 'artifacts/a2/f2.bin',
        createdAt: ago(1),
        expiresAt: ago(0.5),
        expect: 'deleted',
      },
    ];
    const ids: string[] = [];
    for (const c of cases) {
      await putObjects(h.storage, c.bucket, [c.key]);
      ids.push(
        await createFileRow(h.db, {
          ownerId: userId,
          kind: c.kind,
          bucket: c.bucket,
          objectKey: c.key,
          createdAt: c.createdAt,
          expiresAt: c.expiresAt,
        }),
      );
    }

    const report = newReport();
    await expireRetention(h.deps({ now: () => now }), report);

    for (const [i, c] of cases.entries()) {
      const row = await h.db.prisma.artifactFile.findUniqueOrThrow({ where: { id: ids[i]! } });
      expect({ key: c.key, status: row.status }).toEqual({ key: c.key, status: c.expect });
      expect({ key: c.key, exists: await h.storage.exists(c.bucket, c.key) }).toEqual({
        key: c.key,
        exists: c.expect === 'ready',
      });
    }
    expect(report.totals().expiredFiles).toBe(3);
    expect(report.issues).toEqual([]);
  });

  it('a dry run reports what would expire and changes nothing', async () => {
    const bucket = h.buckets.exports;
    const key = 'exports/dry-run-export.csv';
    await putObjects(h.storage, bucket, [key]);
    const fileId = await createFileRow(h.db, {
      ownerId: userId,
      kind: 'export',
      bucket,
      objectKey: key,
      createdAt: new Date(Date.now() - 30 * DAY),
    });

    const report = newReport(true);
    await expireRetention(h.deps({ dryRun: true }), report);

    expect(report.tally(bucket).expiredFiles).toBe(1);
    expect(report.samples.get(bucket)?.get('expired')).toContain(key);
    expect(await h.storage.exists(bucket, key)).toBe(true);
    expect((await h.db.prisma.artifactFile.findUniqueOrThrow({ where: { id: fileId } })).status).toBe('ready');
  });

  it('a bucket that fails leaves its rows for the next run and does not stop the others', async () => {
    const broken = 'cw-no-such-bucket-for-cleanup';
    const brokenKey = 'exports/in-a-missing-bucket.csv';
    const goodKey = 'exports/good-expired.csv';
    await putObjects(h.storage, h.buckets.exports, [goodKey]);
    const createdAt = new Date(Date.now() - 30 * DAY);
    const brokenFile = await createFileRow(h.db, {
      ownerId: userId,
      kind: 'export',
      bucket: broken,
      objectKey: brokenKey,
      createdAt,
    });
    const goodFile = await createFileRow(h.db, {
      ownerId: userId,
      kind: 'export',
      bucket: h.buckets.exports,
      objectKey: goodKey,
      createdAt,
    });

    const report = newReport();
    await expireRetention(h.deps(), report);

    expect((await h.db.prisma.artifactFile.findUniqueOrThrow({ where: { id: brokenFile } })).status).toBe('ready');
    expect((await h.db.prisma.artifactFile.findUniqueOrThrow({ where: { id: goodFile } })).status).toBe('deleted');
    expect(await h.storage.exists(h.buckets.exports, goodKey)).toBe(false);
    expect(report.issues).toEqual([expect.objectContaining({ step: 'retention', bucket: broken, count: 1 })]);
    // Not deleted, so not forgotten: clean up the row so later tests see a tidy table.
    await h.db.prisma.artifactFile.delete({ where: { id: brokenFile } });
  });
});
