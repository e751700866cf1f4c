import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { withAdvisoryLock } from '@pulse/db';
import { Registry } from '@pulse/runtime';
import { createCleanupMetrics } from '../src/metrics';
import { CLEANUP_LOCK, runCleanup } from '../src/run-cleanup';
import { formatSummary } from '../src/summary';
import { createUser, createFileRow, HOUR, type Harness, putObjects, startHarness } from './support';

describe('runCleanup', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(() => h.close());

  it('skips (and says so) while another instance holds the lock', async () => {
    const registry = new Registry();
    const metrics = createCleanupMetrics(registry);
    const held = await withAdvisoryLock(h.db.pool, CLEANUP_LOCK, () =>
      runCleanup(h.deps(), { reason: 'second instance', metrics }),
    );
    expect(held).toEqual({ acquired: true, result: { skipped: true } });
    expect(h.logs.events('cleanup_skipped')).toEqual([expect.objectContaining({ reason: 'second instance' })]);
    expect(await h.db.prisma.cleanupRun.count({ where: { reason: 'second instance' } })).toBe(0);
    expect(await registry.getSingleMetricAsString('pulse_cleanup_runs_total')).toContain('outcome="skipped"');
  });

  it('records a run: row, log line without keys, metrics, and a readable summary with keys', async () => {
    const registry = new Registry();
    const metrics = createCleanupMetrics(registry);
    const userId = await createUser(h.db);
    const orphan = 'artifacts/orphan/summary.bin';
    const kept = 'artifacts/kept/summary.bin';
    await putObjects(h.storage, h.buckets.artifacts, [orphan, kept]);
    await createFileRow(h.db, { ownerId: userId, kind: 'upload', bucket: h.buckets.artifacts, objectKey: kept });

    const result = await runCleanup(h.deps({ dryRun: true, now: () => new Date(Date.now() + 30 * HOUR) }), {
      reason: 'summary',
      sampleSize: 10,
      metrics,
    });
    if (result.skipped) throw new Error('skipped');

    const row = await h.db.prisma.cleanupRun.findFirstOrThrow({ where: { reason: 'summary' } });
    expect(row).toMatchObject({ dryRun: true, orphanObjects: 1, scannedObjects: 2, errors: [] });
    expect(row.durationMs).toBeGreaterThanOrEqual(0);
    const line = h.logs.events('cleanup_run').find((l) => l.reason === 'summary');
    expect(line).toMatchObject({ dryRun: true, orphanObjects: 1, scannedObjects: 2 });
    expect(h.logs.text).not.toContain(orphan);
    expect(await registry.getSingleMetricAsString('pulse_cleanup_runs_total')).toContain('outcome="ok"');
    expect(await registry.getSingleMetricAsString('pulse_cleanup_objects_scanned_total')).toMatch(
      /pulse_cleanup_objects_scanned_total\{bucket="[^"]+"\} 2/,
    );

    const summary = formatSummary(result.report);
    expect(summary).toContain('DRY RUN');
    expect(summary).toContain(orphan);
    expect(summary).not.toContain(kept);
    expect(await h.storage.exists(h.buckets.artifacts, orphan)).toBe(true);
  });
});
