import { type ConfigOf, int, retentionDaysSettings, workerConfigShape, z } from '@pulse/config';

const HOUR_MS = 3_600_000;

/** Retention, grace periods and pacing: everything cleanup-worker reads beyond the shared concerns. */
export const cleanupSettings = z
  .object({
    CLEANUP_INTERVAL_S: int(3600, 10, 7 * 86_400),
    ...retentionDaysSettings,
    // Objects younger than this may belong to an upload whose row is not written yet.
    ORPHAN_GRACE_HOURS: int(24, 1, 24 * 365),
    MULTIPART_MAX_AGE_HOURS: int(24, 1, 24 * 365),
    // Keys per S3 list page / SQL lookup / DeleteObjects call (S3 caps all three at 1000).
    CLEANUP_BATCH_SIZE: int(1000, 1, 1000),
    // Concurrent HEADs when confirming that a row's object is really gone.
    CLEANUP_HEAD_CONCURRENCY: int(8, 1, 64),
  })
  .transform((e) => ({
    intervalMs: e.CLEANUP_INTERVAL_S * 1000,
    retentionDays: {
      exports: e.EXPORT_RETENTION_DAYS,
      reports: e.REPORT_RETENTION_DAYS,
      rawIq: e.RAW_IQ_RETENTION_DAYS,
    },
    orphanGraceMs: e.ORPHAN_GRACE_HOURS * HOUR_MS,
    multipartMaxAgeMs: e.MULTIPART_MAX_AGE_HOURS * HOUR_MS,
    batchSize: e.CLEANUP_BATCH_SIZE,
    headConcurrency: e.CLEANUP_HEAD_CONCURRENCY,
  }));

export const cleanupConfigShape = workerConfigShape(cleanupSettings);

export type CleanupConfig = ConfigOf<typeof cleanupConfigShape>;
