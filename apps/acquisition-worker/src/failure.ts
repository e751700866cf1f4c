import { isStorageError } from '@pulse/storage';

const MAX_MESSAGE = 300;

/**
 * What a user reads in the task result for a failed receiver. Storage errors are described by their
 * code (their messages never name object keys); anything else by its own message, shortened.
 */
export function describeFailure(err: unknown): string {
  if (isStorageError(err)) return `storage ${err.code}: ${err.message}`;
  const message = err instanceof Error ? err.message : String(err);
  return message.length > MAX_MESSAGE ? `${message.slice(0, MAX_MESSAGE - 1)}…` : message;
}
