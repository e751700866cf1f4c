import { isStorageError } from '@pulse/storage';

/** One line a user can act on (shown in the exports list), never a stack or an object key. */
export function describeFailure(err: unknown): string {
  if (isStorageError(err)) return `could not store the file (${err.message})`;
  const message = err instanceof Error ? err.message : String(err);
  // pg errors carry a SQLSTATE `code`; anything else is ours.
  if ((err as { code?: unknown } | null)?.code && typeof (err as { severity?: unknown }).severity === 'string') {
    return `could not read the telemetry (${message})`;
  }
  return message;
}
