import { type Db, withAdvisoryLock } from '@pulse/db';
import type { Logger } from '@pulse/logger';
import { type DueRequest, requestDueReports } from '@pulse/reports';
import { Cron } from 'croner';
import type { SchedulerMetrics } from './scheduler-metrics';

export interface SchedulerOptions {
  db: Db;
  logger: Logger;
  /**
   * How old a slot may be and still be sent: covers a deployment that was down at the slot (72 h by
   * default) and never less than ON_TIME_MS, so a tick that ran late still catches its own slot.
   */
  catchUpMs?: number;
  /** Called after each pass that requested reports, e.g. to kick the outbox relay so they go out at once. */
  onFired?: (result: TickResult) => void;
  metrics?: SchedulerMetrics;
}

export type TickResult = { fired: true; requested: DueRequest[] } | { fired: false };

export interface ReportScheduler {
  /** One pass at `at` (the per-minute cron calls this). */
  tick(at: Date): Promise<TickResult>;
  nextRun(): Date | null;
  stop(): void;
}

/** Slots are whole minutes and the pass runs every minute: ten minutes of grace absorbs a slow or missed pass. */
export const ON_TIME_MS = 10 * 60_000;

/**
 * Each subscription's trigger. Every replica passes over the subscriptions once a minute (and once at
 * start, which is the catch-up after downtime); the advisory lock lets one replica work a pass at a time,
 * and the delivery row each due slot gets makes every later pass over the same slot a no-op.
 */
export function startReportScheduler(options: SchedulerOptions): ReportScheduler {
  const { logger } = options;
  const tick = schedulerPass(options);
  const tickLogged = async (at: Date) => {
    try {
      await tick(at);
    } catch (err) {
      options.metrics?.failed();
      logger.error({ event: 'report_slot_error', err }, 'report scheduler pass failed');
    }
  };
  // Second 0 of every minute, UTC: slots are minutes of the day in UTC.
  const job = new Cron('0 * * * * *', { timezone: 'UTC', protect: true }, () => tickLogged(new Date()));
  // At start: the catch-up of slots missed while no replica ran.
  void tickLogged(new Date());
  logger.info({ event: 'report_scheduler_started', nextRun: job.nextRun()?.toISOString() }, 'report scheduler started');
  return { tick, nextRun: () => job.nextRun(), stop: () => job.stop() };
}

/** One scheduler pass at a given time, without the clock (tests drive it with their own). */
export function schedulerPass(options: SchedulerOptions): (at: Date) => Promise<TickResult> {
  const { db, logger } = options;
  const windowMs = Math.max(ON_TIME_MS, options.catchUpMs ?? 0);

  return async function tick(at: Date): Promise<TickResult> {
    const started = performance.now();
    const lock = await withAdvisoryLock(db.pool, 'report-scheduler', () => requestDueReports(db, at, { windowMs }));
    const result: TickResult = lock.acquired ? { fired: true, requested: lock.result } : { fired: false };
    options.metrics?.passed(new Date());
    for (const r of lock.acquired ? lock.result : []) {
      options.metrics?.fired(at.getTime() - r.slot.getTime() > ON_TIME_MS ? 'late' : 'on_time');
    }
    if (!lock.acquired || lock.result.length > 0) {
      const periods = lock.acquired ? [...new Set(lock.result.map((r) => r.period))] : [];
      logger.info(
        {
          event: 'report_slot',
          fired: result.fired,
          requested: lock.acquired ? lock.result.length : 0,
          periods,
          durationMs: Math.round(performance.now() - started),
        },
        lock.acquired ? 'report slots fired' : 'report scheduler pass held by another instance',
      );
    }
    if (result.fired && result.requested.length > 0) options.onFired?.(result);
    return result;
  };
}
