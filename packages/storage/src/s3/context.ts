import type { S3Config } from '@pulse/config';
import type { Logger } from '@pulse/logger';
import { retry } from '@pulse/runtime';
import type { Alerter } from '../alerts';
import { abortedError } from '../errors';
import type { Observer } from '../observe';
import type { S3Clients } from './clients';
import { toStorageError } from './errors';
import type { ObjectLocation } from './object-url';

/** What every S3 operation needs; built once by createS3Storage. */
export interface S3Context {
  config: S3Config;
  clients: S3Clients;
  logger: Logger;
  observer: Observer;
  alerter: Alerter;
  /** An object's URL on the public endpoint (what browsers reach), for presigns. */
  presignLocation: (bucket: string, key: string) => ObjectLocation;
}

const MAX_BACKOFF_MS = 10_000;

/**
 * Runs one idempotent request under the configured retry policy: only failures a retry can fix
 * (5xx, throttling, resets, timeouts), never once the caller aborted. Always throws a StorageError.
 */
export async function withRetry<T>(
  ctx: S3Context,
  what: string,
  fn: () => Promise<T>,
  signal?: AbortSignal,
): Promise<T> {
  try {
    return await retry(fn, {
      attempts: ctx.config.retry.attempts,
      baseMs: ctx.config.retry.baseMs,
      maxMs: MAX_BACKOFF_MS,
      signal,
      isRetryable: (err) => toStorageError(err, what).retryable,
      onRetry: ({ attempt, delayMs, err }) =>
        ctx.logger.debug({ event: 's3_retry', op: what, attempt, delayMs, code: toStorageError(err, what).code }),
    });
  } catch (err) {
    if (signal?.aborted) throw abortedError(signal);
    throw toStorageError(err, what);
  }
}

/** A log/alert-safe description of a failure: the code and the SDK's error name, never URLs or keys. */
export const failure = (err: unknown, what: string) => {
  const e = toStorageError(err, what);
  return { code: e.code, error: e.message };
};
