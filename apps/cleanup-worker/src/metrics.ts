import { Counter, Gauge, type Registry } from '@pulse/runtime';
import type { CleanupReport } from './report';

export interface CleanupMetrics {
  recordRun(report: CleanupReport, durationMs: number): void;
  recordSkipped(): void;
}

/** Prometheus view of cleanup runs; dry runs count as runs but never as removed objects or bytes. */
export function createCleanupMetrics(registry: Registry): CleanupMetrics {
  const registers = [registry];
  const runs = new Counter({
    name: 'pulse_cleanup_runs_total',
    help: 'Cleanup runs by outcome (ok, errors: finished with recorded failures, skipped: another instance held the lock)',
    labelNames: ['outcome', 'dry_run'],
    registers,
  });
  const objects = new Counter({
    name: 'pulse_cleanup_objects_total',
    help: 'Objects and rows handled by cleanup, by bucket and action',
    labelNames: ['bucket', 'action'],
    registers,
  });
  const bytes = new Counter({
    name: 'pulse_cleanup_bytes_freed_total',
    help: 'Bytes of objects deleted',
    labelNames: ['bucket'],
    registers,
  });
  const scanned = new Counter({
    name: 'pulse_cleanup_objects_scanned_total',
    help: 'Objects listed',
    labelNames: ['bucket'],
    registers,
  });
  const errors = new Counter({
    name: 'pulse_cleanup_errors_total',
    help: 'Failures recorded by cleanup runs',
    labelNames: ['step'],
    registers,
  });
  const lifecycleUnsupported = new Counter({
    name: 'pulse_cleanup_lifecycle_unsupported_total',
    help: 'Lifecycle rule updates the server rejected as unsupported',
    labelNames: ['bucket'],
    registers,
  });
  const duration = new Gauge({
    name: 'pulse_cleanup_last_run_duration_seconds',
    help: 'Duration of the last run',
    registers,
  });
  const lastRun = new Gauge({
    name: 'pulse_cleanup_last_run_timestamp_seconds',
    help: 'When the last run finished (unix time)',
    registers,
  });

  return {
    recordRun(report, durationMs) {
      const { dryRun } = report.options;
      runs.inc({ outcome: report.issues.length ? 'errors' : 'ok', dry_run: String(dryRun) });
      for (const issue of report.issues) errors.inc({ step: issue.step });
      duration.set(durationMs / 1000);
      lastRun.set(Date.now() / 1000);
      for (const [bucket, t] of report.buckets) {
        scanned.inc({ bucket }, t.scannedObjects);
        if (t.lifecycle === 'unsupported') lifecycleUnsupported.inc({ bucket });
        if (dryRun) continue;
        objects.inc({ bucket, action: 'expired' }, t.expiredFiles);
        objects.inc({ bucket, action: 'orphan' }, t.orphanObjects);
        objects.inc({ bucket, action: 'deleted_row_object' }, t.deletedRowObjects);
        objects.inc({ bucket, action: 'missing' }, t.missingObjects);
        objects.inc({ bucket, action: 'aborted_upload' }, t.abortedUploads);
        bytes.inc({ bucket }, t.bytesFreed);
      }
    },
    recordSkipped() {
      runs.inc({ outcome: 'skipped', dry_run: 'false' });
    },
  };
}
