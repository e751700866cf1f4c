import { type CleanupDeps, configuredBuckets } from './deps';
import { markMissing } from './missing';
import { scanBucket } from './orphans';
import type { CleanupReport } from './report';
import { openSeenKeys } from '@pulse/files';

/**
 * Makes S3 and Postgres agree, both ways, one bucket at a time: objects nobody refers to go
 * (orphans.ts), rows whose object is gone are marked (missing.ts). A bucket that fails is recorded
 * and the next one still runs.
 */
export async function reconcileBuckets(deps: CleanupDeps, report: CleanupReport): Promise<void> {
  const seen = await openSeenKeys(deps.db.pool);
  try {
    for (const bucket of configuredBuckets(deps.config)) {
      if (deps.signal?.aborted) return;
      try {
        await seen.reset();
        const listedSince = deps.now();
        const complete = await scanBucket(deps, report, { bucket, seen });
        if (complete) await markMissing(deps, report, { bucket, seen, listedSince });
      } catch (err) {
        report.fail('missing', bucket, err);
      }
    }
  } finally {
    await seen.release();
  }
}
