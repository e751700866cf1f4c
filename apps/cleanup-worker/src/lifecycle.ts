import { type LifecycleRule, PULSE_RULE_ID_PREFIX, retentionPlan } from '@pulse/storage';
import type { CleanupDeps } from './deps';
import type { CleanupReport } from './report';

/** The rules each bucket should carry (`retentionRule` says why they expire a day after retention). */
export function desiredLifecycle(config: CleanupDeps['config']): Map<string, LifecycleRule[]> {
  return retentionPlan(config.s3.buckets, config.app.retentionDays);
}

const canonical = (rules: LifecycleRule[]) =>
  JSON.stringify(
    [...rules]
      .sort((a, b) => a.id.localeCompare(b.id))
      .map((r) => [r.id, r.prefix, r.expirationDays, r.abortIncompleteMultipartDays ?? null]),
  );

/**
 * Makes Pulse's lifecycle rules on every bucket match the configuration (other rules are kept);
 * idempotent, so every run may call it. With S3_MANAGE_BUCKETS=false the rules are storage:setup's
 * job and this worker has no right to write them: nothing to do (retention below does not need them).
 */
export async function syncLifecycle(deps: CleanupDeps, report: CleanupReport): Promise<void> {
  if (!deps.config.s3.manageBuckets) return;
  for (const [bucket, rules] of desiredLifecycle(deps.config)) {
    if (deps.signal?.aborted) return;
    const tally = report.tally(bucket);
    try {
      if (deps.dryRun) {
        const current = (await deps.storage.getLifecycle(bucket)) ?? [];
        const ours = current.filter((r) => r.id.startsWith(PULSE_RULE_ID_PREFIX));
        tally.lifecycle = canonical(ours) === canonical(rules) ? 'unchanged' : 'would_change';
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
