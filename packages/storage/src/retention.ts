import { PULSE_PREFIXES } from './object-keys';
import type { LifecycleRule } from './types';

/**
 * Lifecycle rules and CORS rules Pulse writes carry ids starting with this: merging keeps every rule
 * without it (other software's rules on a shared bucket) as it is.
 */
export const PULSE_RULE_ID_PREFIX = 'pulse-';

/** The kinds of file with a retention period, each under its prefix in PULSE_PREFIXES (the key builders'). */
const RETENTION_TARGETS = {
  exports: { id: 'pulse-exports-retention', prefix: PULSE_PREFIXES.exports },
  reports: { id: 'pulse-reports-retention', prefix: PULSE_PREFIXES.reports },
  rawIq: { id: 'pulse-raw-iq-retention', prefix: PULSE_PREFIXES.rawIq },
} as const;

export type RetentionKind = keyof typeof RETENTION_TARGETS;

/**
 * The one lifecycle rule for a kind of file, so every service that applies it (report-worker at start,
 * cleanup-worker on each run) writes the same rule instead of overwriting each other's. The server
 * expires objects a day after the retention period: the database marks the file expired first (its
 * download answers 410, not a broken redirect), and cleanup-worker deletes on time even where the
 * server has no lifecycle support. Incomplete multipart uploads are aborted after a day.
 */
export function retentionRule(kind: RetentionKind, retentionDays: number): LifecycleRule {
  return { ...RETENTION_TARGETS[kind], expirationDays: retentionDays + 1, abortIncompleteMultipartDays: 1 };
}

/**
 * The artifacts bucket keeps finished files without a time limit, but nothing half-done: a browser
 * upload's staging object (uploads/, copied to artifacts/ on completion, see uploadObjectKey) goes a
 * day after it was written, whether the upload was abandoned or the URL was used again after
 * completion, and incomplete multipart uploads anywhere under Pulse's artifact prefixes are aborted
 * after a day. cleanup-worker reclaims abandoned uploads sooner (their rows expire), this is the
 * server-side backstop.
 */
export const ARTIFACT_UPLOAD_RULES: readonly LifecycleRule[] = [
  { id: 'pulse-upload-staging', prefix: PULSE_PREFIXES.uploads, expirationDays: 1, abortIncompleteMultipartDays: 1 },
  { id: 'pulse-artifacts-incomplete-uploads', prefix: PULSE_PREFIXES.artifacts, abortIncompleteMultipartDays: 1 },
];

export interface RetentionDays {
  exports: number;
  reports: number;
  rawIq: number;
}

/**
 * Pulse's lifecycle rules per bucket: every configured bucket gets an entry (an empty list removes
 * Pulse's rules from it), and buckets that hold several kinds get all of theirs. The artifacts bucket
 * keeps finished files without a time limit and gets ARTIFACT_UPLOAD_RULES only.
 */
export function retentionPlan(
  buckets: { exports: string; reports: string; rawIq: string; artifacts: string },
  days: RetentionDays,
): Map<string, LifecycleRule[]> {
  const plan = new Map<string, LifecycleRule[]>(Object.values(buckets).map((b) => [b, []]));
  plan.get(buckets.exports)?.push(retentionRule('exports', days.exports));
  plan.get(buckets.reports)?.push(retentionRule('reports', days.reports));
  plan.get(buckets.rawIq)?.push(retentionRule('rawIq', days.rawIq));
  plan.get(buckets.artifacts)?.push(...ARTIFACT_UPLOAD_RULES);
  return plan;
}
