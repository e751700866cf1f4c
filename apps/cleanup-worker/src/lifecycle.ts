import type { LifecycleRule } from '@pulse/storage';
import { type CleanupDeps, configuredBuckets } from './deps';
import type { CleanupReport } from './report';

/** Parts of an upload nobody completed cost storage; a day is plenty for any upload to finish. */
const ABORT_INCOMPLETE_MULTIPART_DAYS = 1;

/**
 * The rules each bucket should carry. Expiration is the server-side backstop, one day later than the
 * retention cleanup-worker enforces, so the database always learns first that a file is gone (its
 * row is marked deleted, its export answers 410) and a download never points at a vanished object.
 * The artifacts bucket keeps user uploads without a time limit, so it gets no rules.
 */
export function desiredLifecycle(config: CleanupDeps['config']): Map<string, LifecycleRule[]> {
  const { buckets } = config.s3;
  const days = config.app.retentionDays;
  const byBucket = new Map<string, LifecycleRule[]>(configuredBuckets(config).map((b) => [b, []]));
  const add = (bucket: string, rule: LifecycleRule) => byBucket.get(bucket)?.push(rule);
  const rule = (id: string, prefix: string, retentionDays: number): LifecycleRule => ({
    id,
    prefix,
    expirationDays: retentionDays + 1,
    abortIncompleteMultipartDays: ABORT_INCOMPLETE_MULTIPART_DAYS,
  });
  add(buckets.exports, rule('pulse-exports-retention', 'exports/', days.exports));
  add(buckets.reports, rule('pulse-reports-retention', 'reports/', days.reports));
  add(buckets.rawIq, rule('pulse-raw-iq-retention', 'sessions/', days.rawIq));
  return byBucket;
}

const canonical = (rules: LifecycleRule[]) =>
  JSON.stringify(
    [...rules]
      .sort((a, b) => a.id.localeCompare(b.id))
      .map((r) => [r.id, r.prefix, r.expirationDays, r.abortIncompleteMultipartDays ?? null]),
  );

/** Makes every bucket's lifecycle rules match the configuration; idempotent, so every run may call it. */
export async function syncLifecycle(deps: CleanupDeps, report: CleanupReport): Promise<void> {
  for (const [bucket, rules] of desiredLifecycle(deps.config)) {
    if (deps.signal?.aborted) return;
    const tally = report.tally(bucket);
    try {
      if (deps.dryRun) {
        const current = await deps.storage.getLifecycle(bucket);
        tally.lifecycle = canonical(current ?? []) === canonical(rules) ? 'unchanged' : 'would_change';
        continue;
      }
      const result = await deps.storage.putLifecycle(bucket, rules);
      tally.lifecycle = result.unsupported ? 'unsupported' : result.changed ? 'changed' : 'unchanged';
      if (result.unsupported) {
        // Not an error: retention below does not depend on the server expiring anything.
        deps.logger.warn(
          { event: 'cleanup_lifecycle_unsupported', bucket },
          'lifecycle rules unsupported; retention enforced by cleanup only',
        );
      }
    } catch (err) {
      tally.lifecycle = 'failed';
      report.fail('lifecycle', bucket, err);
    }
  }
}
