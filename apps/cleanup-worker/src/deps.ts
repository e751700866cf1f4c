import type { Db } from '@pulse/db';
import type { Logger } from '@pulse/logger';
import type { Alerter, Storage } from '@pulse/storage';
import type { CleanupConfig } from './config';

/** What every cleanup step receives; tests build it directly (a fixed `now` stands in for waiting). */
export interface CleanupDeps {
  db: Db;
  storage: Storage;
  logger: Logger;
  config: Pick<CleanupConfig, 's3' | 'app'>;
  now: () => Date;
  /** Count and list what would go, change nothing (no deletes, no row updates, no lifecycle writes). */
  dryRun: boolean;
  /** Sends `file_missing` to ALERT_WEBHOOK_URL; without it missing files are only logged. */
  alerter?: Alerter;
  /** Stops a long run early at the next page boundary (SIGTERM); what was done so far is recorded. */
  signal?: AbortSignal;
}

/** Every bucket named in the configuration, once (two concerns may share a bucket). */
export function configuredBuckets(config: CleanupDeps['config']): string[] {
  return [...new Set(Object.values(config.s3.buckets))];
}
