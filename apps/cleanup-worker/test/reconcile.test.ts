import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createLogger } from '@pulse/logger';
import { createAlerter } from '@pulse/storage';
import { LogCapture } from '@pulse/testing';
import { reconcileBuckets } from '../src/reconcile';
import { CleanupReport } from '../src/report';
import { runCleanup } from '../src/run-cleanup';
import { assertNoKeysLogged, createFileRow, createUser, HOUR, type Harness, putObjects, startHarness } from './support';

const newReport = (dryRun = false) =>
  new CleanupReport({ reason: 'test', dryRun, startedAt: new Date(), sampleSize: 5 });

/** A real HTTP endpoint standing in for ALERT_WEBHOOK_URL. */
async function startWebhook(): Promise<{ url: string; bodies: Record<string, unknown>[]; close(): Promise<void> }> {
  const bodies: Record<string, unknown>[] = [];
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => {
      body += c.toString();
    });
    req.on('end', () => {
      bodies.push(JSON.parse(body) as Record<string, unknown>);
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/hook`, bodies, close: () => new Promise((r) => server.close(() => r())) };
}

describe('reconciliation', () => {
  let h: Harness;
  let userId: string;
  beforeAll(async () => {
    h = await startHarness({ ORPHAN_GRACE_HOURS: '24' });
    userId = await createUser(h.db);
  });
  afterAll(() => h.close());

  it('deletes orphans older than the grace period, keeps younger ones and every object with a live row', async () => {
    const bucket = h.buckets.artifacts;
    const orphan = 'artifacts/orphan/old.bin';
    const pendingKey = 'artifacts/pending/upload.bin';
    const readyKey = 'artifacts/ready/file.bin';
    const missingRowKey = 'artifacts/missing-status/file.bin';
    const deletedRowKey = 'artifacts/deleted/file.bin';
    await putObjects(h.storage, bucket, [orphan, pendingKey, readyKey, missingRowKey, deletedRowKey]);
    await createFileRow(h.db, { ownerId: userId, kind: 'upload', bucket, objectKey: pendingKey, status: 'pending' });
    await createFileRow(h.db, { ownerId: userId, kind: 'upload', bucket, objectKey: readyKey, status: 'ready' });
    await createFileRow(h.db, { ownerId: userId, kind: 'upload', bucket, objectKey: missingRowKey, status: 'missing' });
    await createFileRow(h.db, { ownerId: userId, kind: 'upload', bucket, objectKey: deletedRowKey, status: 'deleted' });

    // Just written: inside the grace period, so only the deleted row's object goes.
    const early = newReport();
    await reconcileBuckets(h.deps(), early);
    expect(await h.storage.exists(bucket, orphan)).toBe(true);
    expect(await h.storage.exists(bucket, deletedRowKey)).toBe(false);
    expect(early.tally(bucket)).toMatchObject({ orphanObjects: 0, deletedRowObjects: 1, deletedObjects: 1 });

    // A day and a bit later (an injected clock, not a wait): the orphan is past the grace period.
    const later = newReport();
    await reconcileBuckets(h.deps({ now: () => new Date(Date.now() + 25 * HOUR) }), later);
    expect(await h.storage.exists(bucket, orphan)).toBe(false);
    for (const live of [pendingKey, readyKey, missingRowKey])
      expect({ live, exists: await h.storage.exists(bucket, live) }).toEqual({ live, exists: true });
    expect(later.tally(bucket)).toMatchObject({
      orphanObjects: 1,
      deletedObjects: 1,
      scannedObjects: 4,
      missingObjects: 0,
    });
    expect(later.issues).toEqual([]);
    assertNoKeysLogged(h.logs, [orphan, pendingKey, readyKey, deletedRowKey]);
  });

  it("in a bucket shared with other software, lists and deletes only Pulse's prefixes", async () => {
    const bucket = h.buckets.exports;
    const foreign = ['other-app/data.bin', 'exportsX/near-miss.csv', 'backup/exports/e.csv', 'README'];
    const orphan = 'exports/orphan-in-shared.csv';
    await putObjects(h.storage, bucket, [...foreign, orphan]);

    const report = newReport();
    // Long past the grace period: every object without a row would be an orphan if it were listed.
    await reconcileBuckets(h.deps({ now: () => new Date(Date.now() + 25 * HOUR) }), report);
    expect(await h.storage.exists(bucket, orphan)).toBe(false);
    for (const key of foreign)
      expect({ key, exists: await h.storage.exists(bucket, key) }).toEqual({ key, exists: true });
    expect(report.tally(bucket)).toMatchObject({ scannedObjects: 1, orphanObjects: 1, deletedObjects: 1 });
    expect(report.issues).toEqual([]);
  });

  it('marks a ready row whose object is gone as missing, logs file_missing and calls the webhook', async () => {
    const hook = await startWebhook();
    try {
      const bucket = h.buckets.reports;
      const key = 'reports/2026-10/f/report_2026-10.pdf';
      const presentKey = 'reports/2026-10/f/report_2026-10.xlsx';
      await putObjects(h.storage, bucket, [presentKey]);
      const missingId = await createFileRow(h.db, { ownerId: userId, kind: 'report', bucket, objectKey: key });
      const presentId = await createFileRow(h.db, { ownerId: userId, kind: 'report', bucket, objectKey: presentKey });
      const alertLogs = new LogCapture();
      const alerter = createAlerter({
        webhookUrl: hook.url,
        service: 'cleanup-test',
        logger: createLogger({ name: 't', destination: alertLogs }),
      });

      const report = newReport();
      await reconcileBuckets(h.deps({ alerter }), report);

      expect((await h.db.prisma.artifactFile.findUniqueOrThrow({ where: { id: missingId } })).status).toBe('missing');
      expect((await h.db.prisma.artifactFile.findUniqueOrThrow({ where: { id: presentId } })).status).toBe('ready');
      expect(report.tally(bucket).missingObjects).toBe(1);
      expect(h.logs.events('file_missing')).toEqual([
        expect.objectContaining({ bucket, count: 1, fileIds: [missingId] }),
      ]);
      expect(hook.bodies).toEqual([expect.objectContaining({ event: 'file_missing', bucket, code: 'FileMissing' })]);
      expect(JSON.stringify(hook.bodies)).not.toContain(key);
      assertNoKeysLogged(h.logs, [key, presentKey]);
    } finally {
      await hook.close();
    }
  });

  it('scans past 1000 objects page by page; a dry run deletes nothing and reports the same counts', async () => {
    const bucket = h.buckets.rawIq;
    const keys = Array.from({ length: 1100 }, (_, i) => `sessions/bulk/websdr_${String(i).padStart(4, '0')}.npy`);
    await putObjects(h.storage, bucket, keys, 32);
    // Every third object has a row; the rest are orphans.
    const withRow = keys.filter((_, i) => i % 3 === 0);
    for (const key of withRow)
      await createFileRow(h.db, { ownerId: userId, kind: 'acquisition', bucket, objectKey: key });
    const later = () => new Date(Date.now() + 48 * HOUR);
    const orphanCount = keys.length - withRow.length;

    const dry = await runCleanup(h.deps({ dryRun: true, now: later }), { reason: 'dry', sampleSize: 3 });
    if (dry.skipped) throw new Error('dry run skipped');
    expect(dry.report.tally(bucket)).toMatchObject({
      scannedObjects: 1100,
      orphanObjects: orphanCount,
      deletedObjects: orphanCount,
    });
    expect(dry.report.samples.get(bucket)?.get('orphans')).toHaveLength(3);
    let listed = 0;
    for await (const _ of h.storage.list(bucket)) listed += 1;
    expect(listed).toBe(1100);

    const real = await runCleanup(h.deps({ now: later }), { reason: 'real' });
    if (real.skipped) throw new Error('real run skipped');
    const { lifecycle: _dryLifecycle, ...dryCounts } = dry.report.tally(bucket);
    const { lifecycle: _realLifecycle, ...realCounts } = real.report.tally(bucket);
    expect(realCounts).toEqual(dryCounts);
    const left: string[] = [];
    for await (const o of h.storage.list(bucket)) left.push(o.key);
    expect(left.sort()).toEqual([...withRow].sort());

    const runs = await h.db.prisma.cleanupRun.findMany({
      where: { reason: { in: ['dry', 'real'] } },
      orderBy: { startedAt: 'asc' },
    });
    expect(runs.map((r) => [r.reason, r.dryRun, r.orphanObjects])).toEqual([
      ['dry', true, orphanCount],
      ['real', false, orphanCount],
    ]);
  });
});
