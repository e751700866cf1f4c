import type { Logger } from '@pulse/logger';
import { type RetentionDays, retentionPlan } from './retention';
import type { Storage } from './types';

export interface StorageSetupOptions {
  buckets: { exports: string; reports: string; rawIq: string; artifacts: string };
  retentionDays: RetentionDays;
  /** Origins of the pages that PUT uploads to the artifacts bucket (the UI's PUBLIC_BASE_URL). */
  uploadOrigins: string[];
}

export interface StorageSetupResult {
  buckets: string[];
  lifecycle: Record<string, 'changed' | 'unchanged' | 'unsupported'>;
  cors: 'changed' | 'unchanged' | 'unsupported';
}

/**
 * Everything that needs bucket-admin rights, in one idempotent pass: creates the buckets, merges
 * Pulse's lifecycle rules and the upload CORS rule into what the buckets already have (rules Pulse did
 * not write are kept). Run once with admin credentials by `pnpm storage:setup` (compose's init step)
 * when the apps run with S3_MANAGE_BUCKETS=false and object permissions only.
 */
export async function setupStorage(
  storage: Storage,
  options: StorageSetupOptions,
  logger: Logger,
): Promise<StorageSetupResult> {
  const buckets = [...new Set(Object.values(options.buckets))];
  for (const bucket of buckets) await storage.ensureBucket(bucket);
  const lifecycle: StorageSetupResult['lifecycle'] = {};
  for (const [bucket, rules] of retentionPlan(options.buckets, options.retentionDays)) {
    const result = await storage.putLifecycle(bucket, rules);
    lifecycle[bucket] = result.unsupported ? 'unsupported' : result.changed ? 'changed' : 'unchanged';
  }
  const corsResult = await storage.allowBrowserOrigins(options.buckets.artifacts, options.uploadOrigins);
  const cors = corsResult.unsupported ? 'unsupported' : corsResult.changed ? 'changed' : 'unchanged';
  logger.info({ event: 'storage_setup_done', buckets: buckets.length, lifecycle, cors }, 'storage set up');
  return { buckets, lifecycle, cors };
}
