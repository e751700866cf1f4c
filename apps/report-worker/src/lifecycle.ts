import type { Logger } from '@pulse/logger';
import { retentionRule, type Storage } from '@pulse/storage';

/**
 * Reports expire after the retention period. Applied at every start (idempotent); servers without
 * lifecycle support only get a warning, because cleanup-worker enforces retention from the database anyway.
 */
export async function ensureReportRetention(
  storage: Storage,
  bucket: string,
  days: number,
  logger: Logger,
): Promise<void> {
  await storage.ensureBucket(bucket);
  // The same rule cleanup-worker applies, so the two never overwrite each other.
  const result = await storage.putLifecycle(bucket, [retentionRule('reports', days)]);
  if (result.unsupported) {
    logger.warn(
      { event: 'lifecycle_unsupported', bucket },
      'storage does not support lifecycle rules; cleanup-worker enforces retention',
    );
  } else {
    logger.info(
      { event: 'lifecycle_applied', bucket, days, changed: result.changed ?? false },
      'report retention rule in place',
    );
  }
}
