import type { Logger } from '@pulse/logger';
import { Cron } from 'croner';

export interface Scheduler {
  /** Cancels future runs and waits for the one in flight. */
  stop(): Promise<void>;
}

export interface SchedulerOptions {
  intervalMs: number;
  logger: Logger;
  /** One run; the advisory lock inside decides whether this replica actually does the work. */
  run(reason: string): Promise<unknown>;
}

/**
 * Runs at start and then every `intervalMs` (whole seconds, at least one). croner checks every second
 * and `protect` skips the beats that come while a run is still going, so a slow run never overlaps the
 * next. Every replica schedules; the lock lets one of them work per slot.
 */
export function startScheduler(options: SchedulerOptions): Scheduler {
  const { intervalMs, logger, run } = options;
  let reason = 'startup';
  let inFlight: Promise<void> | undefined;
  const job = new Cron('* * * * * *', { interval: Math.floor(intervalMs / 1000), protect: true }, async () => {
    const current = reason;
    reason = 'interval';
    inFlight = run(current).then(
      () => undefined,
      (err: unknown) => logger.error({ event: 'cleanup_run_error', err }, 'cleanup run failed'),
    );
    await inFlight;
  });
  void job.trigger();

  return {
    async stop() {
      job.stop();
      await inFlight;
    },
  };
}
