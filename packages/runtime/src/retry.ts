export interface RetryOptions {
  attempts: number;
  baseMs: number;
  maxMs?: number;
  /** Defaults to "everything is retryable"; return false to fail at once. */
  isRetryable?: (err: unknown) => boolean;
  signal?: AbortSignal;
  onRetry?: (info: { attempt: number; delayMs: number; err: unknown }) => void;
}

/**
 * Equal-jitter exponential backoff: half the ceiling fixed, half random. The random half spreads retries
 * of many clients so they don't stampede together; the fixed half keeps a retry from coming straight back.
 */
export function backoffDelay(attempt: number, baseMs: number, maxMs = 30_000): number {
  const ceiling = Math.min(maxMs, baseMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(ceiling / 2 + Math.random() * (ceiling / 2));
}

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

export async function retry<T>(fn: (attempt: number) => Promise<T>, options: RetryOptions): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn(attempt);
    } catch (err) {
      const retryable = options.isRetryable?.(err) ?? true;
      if (!retryable || attempt >= options.attempts || options.signal?.aborted) throw err;
      const delayMs = backoffDelay(attempt, options.baseMs, options.maxMs);
      options.onRetry?.({ attempt, delayMs, err });
      await sleep(delayMs, options.signal);
    }
  }
}
