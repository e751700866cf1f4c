/**
 * What the owner of a failed export reads: one stable sentence per kind of failure, never a driver's
 * or a server's own text (table names, SQL, bucket names, SDK error names). The error itself goes to
 * the worker's log with the export id, where an operator can find it.
 */
export const EXPORT_FAILURE_REASONS = {
  storage_unavailable: 'the file storage could not be reached',
  storage_refused: 'the file storage refused the file',
  database: 'the telemetry could not be read',
  unexpected: 'an unexpected error occurred',
} as const;

export type ExportFailureKind = keyof typeof EXPORT_FAILURE_REASONS;

interface ErrorShape {
  name?: unknown;
  message?: unknown;
  retryable?: unknown;
  code?: unknown;
  severity?: unknown;
  cause?: unknown;
}

/** `err` and the errors it wraps (`cause`), outermost first. */
function chain(err: unknown): ErrorShape[] {
  const out: ErrorShape[] = [];
  for (let e: unknown = err; e && typeof e === 'object' && out.length < 10; e = (e as ErrorShape).cause) {
    out.push(e as ErrorShape);
  }
  return out;
}

// pg errors carry a SQLSTATE `code` and a `severity`; a lost connection is an Error with a message only.
const isDatabaseError = (e: ErrorShape) =>
  (typeof e.severity === 'string' && typeof e.code === 'string') ||
  /^Connection terminated|^Client has encountered a connection error/.test(String(e.message ?? ''));

/**
 * Which kind of failure `err` is, by shape (this package needs neither the S3 nor the pg client). The
 * root cause decides: an upload that failed because the telemetry stream feeding it broke is a database
 * failure, not a storage one.
 */
export function exportFailureKind(err: unknown): ExportFailureKind {
  const errors = chain(err);
  if (errors.some(isDatabaseError)) return 'database';
  // @pulse/storage's StorageError: a code from its table and whether trying again can help.
  const storage = errors.find((e) => e.name === 'StorageError');
  if (storage) return storage.retryable === true ? 'storage_unavailable' : 'storage_refused';
  return 'unexpected';
}

/** The innermost error `err` wraps (what an operator needs in the log), or `err` itself. */
export function rootCause(err: unknown): unknown {
  return chain(err).at(-1) ?? err;
}

/** The sentence for `err` (see EXPORT_FAILURE_REASONS). */
export function exportFailureReason(err: unknown): string {
  return EXPORT_FAILURE_REASONS[exportFailureKind(err)];
}
