import { StorageError } from './errors';
import { PULSE_PREFIXES } from './object-keys';

/**
 * Buckets are often shared with other software: nothing outside Pulse's prefixes (object-keys.ts) is
 * ever listed for deletion, deleted or aborted.
 */
export const PULSE_KEY_PREFIXES: readonly string[] = Object.values(PULSE_PREFIXES);

export const isPulseKey = (key: string): boolean => PULSE_KEY_PREFIXES.some((p) => key.startsWith(p));

/** For deletes and aborts: a key outside Pulse's prefixes belongs to someone else. */
export function assertPulseKey(key: string): void {
  if (!isPulseKey(key)) {
    throw new StorageError(
      'InvalidKey',
      `refusing to delete outside Pulse's prefixes (${PULSE_KEY_PREFIXES.join(', ')})`,
    );
  }
}
