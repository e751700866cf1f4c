import { scrubString } from '@pulse/logger';
import { isStorageError } from '@pulse/storage';

export type CleanupStep = 'lifecycle' | 'retention' | 'scan' | 'missing' | 'multipart';

/** A failure that did not stop the run; the affected rows/objects are left for the next run. */
export interface CleanupIssue {
  step: CleanupStep;
  bucket: string;
  code: string;
  message: string;
  /** How many keys the failure affected, for batch failures. */
  count?: number;
}

export type LifecycleState = 'unchanged' | 'changed' | 'would_change' | 'unsupported' | 'failed' | 'not_checked';

export interface Totals {
  scannedObjects: number;
  /** Rows past retention whose objects were (or in a dry run would be) deleted. */
  expiredFiles: number;
  /** Objects without any row, older than the grace period. */
  orphanObjects: number;
  /** Objects whose row says `deleted` (a user deletion whose object delete failed earlier). */
  deletedRowObjects: number;
  deletedObjects: number;
  missingObjects: number;
  abortedUploads: number;
  bytesFreed: number;
}

export interface BucketTally extends Totals {
  lifecycle: LifecycleState;
}

export type SampleKind = 'expired' | 'orphans' | 'deletedRowObjects' | 'missing' | 'uploads';

const zero = (): Totals => ({
  scannedObjects: 0,
  expiredFiles: 0,
  orphanObjects: 0,
  deletedRowObjects: 0,
  deletedObjects: 0,
  missingObjects: 0,
  abortedUploads: 0,
  bytesFreed: 0,
});

/**
 * The outcome of one run, filled in by the steps. Sample keys exist only for the CLI's summary on
 * the operator's terminal; `forLog()` leaves them out because object keys never go into logs.
 */
export class CleanupReport {
  readonly buckets = new Map<string, BucketTally>();
  readonly samples = new Map<string, Map<SampleKind, string[]>>();
  readonly issues: CleanupIssue[] = [];

  constructor(readonly options: { reason: string; dryRun: boolean; startedAt: Date; sampleSize: number }) {}

  tally(bucket: string): BucketTally {
    let t = this.buckets.get(bucket);
    if (!t) {
      t = { ...zero(), lifecycle: 'not_checked' };
      this.buckets.set(bucket, t);
    }
    return t;
  }

  sample(bucket: string, kind: SampleKind, key: string): void {
    if (this.options.sampleSize <= 0) return;
    let byKind = this.samples.get(bucket);
    if (!byKind) {
      byKind = new Map();
      this.samples.set(bucket, byKind);
    }
    const keys = byKind.get(kind) ?? [];
    if (keys.length < this.options.sampleSize) keys.push(key);
    byKind.set(kind, keys);
  }

  /** Records a failure; messages are scrubbed and never carry keys (callers pass counts instead). */
  fail(step: CleanupStep, bucket: string, err: unknown, count?: number): void {
    const code = isStorageError(err) ? err.code : ((err as { code?: string } | null)?.code ?? 'Error');
    const message = scrubString(String((err as Error | null)?.message ?? err)).slice(0, 300);
    this.issues.push({ step, bucket, code: String(code), message, ...(count === undefined ? {} : { count }) });
  }

  totals(): Totals {
    const sum = zero();
    const keys = Object.keys(sum) as (keyof Totals)[];
    for (const t of this.buckets.values()) for (const k of keys) sum[k] += t[k];
    return sum;
  }

  /** Counts only: what the `cleanup_run` log line and the cleanup_runs row carry. */
  forLog() {
    return {
      reason: this.options.reason,
      dryRun: this.options.dryRun,
      ...this.totals(),
      buckets: Object.fromEntries(this.buckets),
      errors: this.issues,
    };
  }
}
