import { PULSE_PREFIXES } from './object-keys';
import type { LifecycleRule } from './types';

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
