import { withAdvisoryLock } from '@pulse/db';
import type { CleanupDeps } from './deps';
import { syncLifecycle } from './lifecycle';
import type { CleanupMetrics } from './metrics';
import { abortStaleUploads } from './multipart';
import { reconcileBuckets } from './reconcile';
import { CleanupReport, type CleanupStep } from './report';
import { expireRetention } from './retention';

/** One lock for every replica and the CLI: two runs at once would race on the same objects and rows. */
export const CLEANUP_LOCK = 'cleanup';

export interface RunCleanupOptions {
  reason: string;
  /** Keys per bucket and kind kept for the CLI summary; 0 (the worker) keeps none. */
  sampleSize?: number;
  metrics?: CleanupMetrics;
}

export type RunCleanupResult = { skipped: true } | { skipped: false; report: CleanupReport };

/** Runs every cleanup step once, unless another instance is already running one (then it skips). */
export async function runCleanup(deps: CleanupDeps, options: RunCleanupOptions): Promise<RunCleanupResult> {
  const locked = await withAdvisoryLock(deps.db.pool, CLEANUP_LOCK, () => performRun(deps, options));
  if (locked.acquired) return { skipped: false, report: locked.result };
  deps.logger.info(
    { event: 'cleanup_skipped', reason: options.reason },
    'another cleanup run holds the lock; skipping',
  );
  options.metrics?.recordSkipped();
  return { skipped: true };
}

/**
 * Order matters: retention marks expired rows deleted before reconciliation looks for rows without
 * objects, so a file the lifecycle rule already removed is expired, not reported missing.
 */
const STEPS: [CleanupStep, (deps: CleanupDeps, report: CleanupReport) => Promise<void>][] = [
  ['lifecycle', syncLifecycle],
  ['retention', expireRetention],
  ['scan', reconcileBuckets],
  ['multipart', abortStaleUploads],
];

async function performRun(deps: CleanupDeps, options: RunCleanupOptions): Promise<CleanupReport> {
  const started = performance.now();
  const startedAt = deps.now();
  const report = new CleanupReport({
    reason: options.reason,
    dryRun: deps.dryRun,
    startedAt,
    sampleSize: options.sampleSize ?? 0,
  });
  deps.logger.info({ event: 'cleanup_start', reason: options.reason, dryRun: deps.dryRun }, 'cleanup run started');
  for (const [step, run] of STEPS) {
    if (deps.signal?.aborted) {
      report.fail(step, '*', { code: 'Aborted', message: 'run stopped before this step (shutdown)' });
      continue;
    }
    try {
      await run(deps, report);
    } catch (err) {
      // Steps catch per bucket; what lands here (the database gone, say) ends only this step.
      report.fail(step, '*', err);
    }
  }
  const durationMs = Math.round(performance.now() - started);
  await recordRun(deps, report, durationMs);
  deps.logger.info({ event: 'cleanup_run', durationMs, ...report.forLog() }, 'cleanup run finished');
  options.metrics?.recordRun(report, durationMs);
  return report;
}

async function recordRun(deps: CleanupDeps, report: CleanupReport, durationMs: number): Promise<void> {
  const t = report.totals();
  const { startedAt } = report.options;
  await deps.db.prisma.cleanupRun.create({
    data: {
      reason: report.options.reason,
      dryRun: report.options.dryRun,
      startedAt,
      finishedAt: new Date(startedAt.getTime() + durationMs),
      durationMs,
      expiredFiles: t.expiredFiles,
      deletedObjects: t.deletedObjects,
      orphanObjects: t.orphanObjects,
      missingObjects: t.missingObjects,
      abortedUploads: t.abortedUploads,
      bytesFreed: BigInt(t.bytesFreed),
      scannedObjects: t.scannedObjects,
      errors: report.issues.map((i) => ({ ...i })),
    },
  });
}
