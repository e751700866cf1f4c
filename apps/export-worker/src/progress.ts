import type { Logger } from '@pulse/logger';

export interface ProgressThrottle {
  /** Records the latest count; reports it if the last report is at least `intervalMs` old. */
  update(rows: number): void;
  /** Waits for a report in flight (so none lands after the job's final state). */
  settle(): Promise<void>;
}

export interface ProgressThrottleOptions {
  intervalMs: number;
  logger: Logger;
  report(rows: number): Promise<void>;
}

/**
 * Rows arrive per chunk (thousands a second); the database and the UI need a figure twice a second.
 * At most one report is in flight, and a failed report is only logged: progress is advisory.
 */
export function throttleProgress(options: ProgressThrottleOptions): ProgressThrottle {
  let last = 0;
  let inFlight: Promise<void> | undefined;
  return {
    update(rows) {
      const now = Date.now();
      if (inFlight || now - last < options.intervalMs) return;
      last = now;
      inFlight = options
        .report(rows)
        .catch((err: unknown) => options.logger.warn({ event: 'export_progress_error', err }, 'progress update failed'))
        .finally(() => {
          inFlight = undefined;
        });
    },
    async settle() {
      await inFlight;
    },
  };
}
