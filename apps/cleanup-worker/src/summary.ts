import type { CleanupReport, SampleKind } from './report';

const LABELS: Record<SampleKind, string> = {
  expired: 'past retention',
  orphans: 'orphans (no row, older than grace)',
  deletedRowObjects: 'objects of deleted rows',
  missing: 'rows without an object',
  uploads: 'stale multipart uploads',
};

const mib = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MiB`;

/**
 * The operator-facing summary the CLI prints (stdout, not a log line: keys are fine here and are
 * what the operator asked to see).
 */
export function formatSummary(report: CleanupReport, durationMs?: number): string {
  const { dryRun, reason } = report.options;
  const verb = dryRun ? 'would' : 'did';
  const t = report.totals();
  const lines = [
    `cleanup ${dryRun ? 'DRY RUN (nothing changed)' : 'run'} — reason: ${reason}${durationMs === undefined ? '' : `, ${durationMs} ms`}`,
    `totals: scanned ${t.scannedObjects} objects; ${verb} expire ${t.expiredFiles} files, delete ${t.deletedObjects} objects (${mib(t.bytesFreed)}), ` +
      `orphans ${t.orphanObjects}, deleted-row objects ${t.deletedRowObjects}, mark missing ${t.missingObjects}, abort ${t.abortedUploads} uploads`,
  ];
  for (const [bucket, b] of report.buckets) {
    lines.push(
      '',
      `bucket ${bucket}: scanned ${b.scannedObjects}, expired ${b.expiredFiles}, orphans ${b.orphanObjects}, deleted-row objects ${b.deletedRowObjects}, ` +
        `missing ${b.missingObjects}, uploads ${b.abortedUploads}, ${mib(b.bytesFreed)}, lifecycle ${b.lifecycle}`,
    );
    for (const [kind, keys] of report.samples.get(bucket) ?? []) {
      lines.push(`  ${LABELS[kind]} (first ${keys.length}):`, ...keys.map((k) => `    ${k}`));
    }
  }
  if (report.issues.length) {
    lines.push('', `errors (${report.issues.length}; affected items are retried next run):`);
    for (const i of report.issues)
      lines.push(`  [${i.step}] ${i.bucket}: ${i.code} ${i.message}${i.count ? ` (${i.count})` : ''}`);
  }
  return `${lines.join('\n')}\n`;
}
