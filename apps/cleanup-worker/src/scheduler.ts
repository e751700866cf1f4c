import type { Logger } from '@pulse/logger';

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
 * Runs at start and then `intervalMs` after each run ends (not on a fixed beat, so a slow run never
 * overlaps the next). Every replica schedules; the lock lets one of them work per slot.
 */
export function startScheduler(options: SchedulerOptions): Scheduler {
  const { intervalMs, logger, run } = options;
  let timer: NodeJS.Timeout | undefined;
  let inFlight: Promise<void> | undefined;
  let stopped = false;

  const tick = (reason: string) => {
    inFlight = run(reason)
      .then(
        () => undefined,
        (err: unknown) => logger.error({ event: 'cleanup_run_error', err }, 'cleanup run failed'),
      )
      .finally(() => {
        inFlight = undefined;
        if (!stopped) timer = setTimeout(() => tick('interval'), intervalMs);
      });
  };
  tick('startup');

  return {
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await inFlight;
    },
  };
}
