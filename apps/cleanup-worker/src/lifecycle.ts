import { type LifecycleRule, retentionRule } from '@pulse/storage';
import { type CleanupDeps, configuredBuckets } from './deps';
import type { CleanupReport } from './report';

/**
 * The rules each bucket should carry (`retentionRule` says why they expire a day after retention).
 * The artifacts bucket keeps user uploads without a time limit, so it gets no rules.
 */
export function desiredLifecycle(config: CleanupDeps['config']): Map<string, LifecycleRule[]> {
  const { buckets } = config.s3;
  const days = config.app.retentionDays;
  const byBucket = new Map<string, LifecycleRule[]>(configuredBuckets(config).map((b) => [b, []]));
  const add = (bucket: string, rule: LifecycleRule) => byBucket.get(bucket)?.push(rule);
  add(buckets.exports, retentionRule('exports', days.exports));
  add(buckets.reports, retentionRule('reports', days.reports));
  add(buckets.rawIq, retentionRule('rawIq', days.rawIq));
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
