import type { Logger } from '@pulse/logger';
import { isStorageError } from './errors';

/** Hook for apps to feed e.g. a prom-client histogram; storage itself stays free of a metrics library. */
export interface StorageMetrics {
  /** `errorKind`: on failure, the StorageError code (NotFound, AccessDenied, Timeout, Unavailable…) or `Other`. */
  observe(op: string, durationMs: number, ok: boolean, errorKind?: string): void;
}

export interface Observer {
  /** Runs `fn`, reporting its duration and outcome to the metrics hook (which may never break the call). */
  timed<T>(op: string, fn: () => Promise<T>): Promise<T>;
}

export function createObserver(metrics: StorageMetrics | undefined, logger: Logger): Observer {
  const report = (op: string, started: number, ok: boolean, errorKind?: string) => {
    if (!metrics) return;
    try {
      metrics.observe(op, performance.now() - started, ok, errorKind);
    } catch (err) {
      logger.warn({ event: 'storage_metrics_error', op, err }, 'metrics hook threw');
    }
  };
  return {
    async timed(op, fn) {
      const started = performance.now();
      try {
        const result = await fn();
        report(op, started, true);
        return result;
      } catch (err) {
        report(op, started, false, isStorageError(err) ? err.code : 'Other');
        throw err;
      }
    },
  };
}

export const elapsedMs = (started: number): number => Math.round(performance.now() - started);
