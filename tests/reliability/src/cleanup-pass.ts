import { loadConfig } from '@pulse/config';
import { createDb } from '@pulse/db';
import { createLogger } from '@pulse/logger';
import { cleanupConfigShape } from '../../../apps/cleanup-worker/src/config';
import { runCleanup } from '../../../apps/cleanup-worker/src/run-cleanup';
import type { Stack } from './stack';

const HOUR_MS = 3_600_000;

/**
 * One real cleanup-worker run over the stack's buckets, with its clock moved past the stale-upload
 * age (and the orphan grace), as if the next scheduled run came a day later. This is what removes
 * what a crashed uploader leaves behind; retention is untouched (exports live 7 days).
 */
export async function cleanupPassADayLater(stack: Stack): Promise<{ abortedUploads: number; issues: number }> {
  const config = loadConfig(cleanupConfigShape, stack.env());
  const db = createDb(config.db);
  const logger = createLogger({ name: 'cleanup-pass', level: 'info', pretty: false, destination: stack.testLogs });
  const later = Math.max(config.app.multipartMaxAgeMs, config.app.orphanGraceMs) + HOUR_MS;
  try {
    const result = await runCleanup(
      { db, storage: stack.storage, logger, config, now: () => new Date(Date.now() + later), dryRun: false },
      { reason: 'reliability' },
    );
    if (result.skipped) throw new Error('cleanup skipped: another run holds the lock');
    return { abortedUploads: result.report.totals().abortedUploads, issues: result.report.issues.length };
  } finally {
    await db.close();
  }
}
