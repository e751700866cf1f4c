import { type Db, withAdvisoryLock } from '@pulse/db';
import type { Logger } from '@pulse/logger';
import { Cron } from 'croner';
import { previousPeriod } from '../period';
import { requestScheduledReports } from '@pulse/reports';

export interface SchedulerOptions {
  db: Db;
  logger: Logger;
  cron: string;
  timeZone: string;
  /** At start, fire the latest slot if it passed less than this long ago (0: never). */
  catchUpMs?: number;
  /** Called after each slot, e.g. to kick the outbox relay so requests go out at once. */
  onFired?: (result: SlotResult) => void;
}

export type SlotResult = { period: string; fired: true; requested: number } | { period: string; fired: false };

export interface ReportScheduler {
  /** Runs the slot for `at` now (the cron calls this; tests call it directly). */
  fire(at: Date): Promise<SlotResult>;
  /**
   * Fires the latest slot before `now` if it is at most `catchUpMs` old: a deployment that was down at
   * 02:00 on the 1st still sends when it comes back, while a fresh one mid-month does not mail last month.
   */
  catchUp(now?: Date): Promise<SlotResult | null>;
  nextRun(): Date | null;
  stop(): void;
}

/**
 * The monthly trigger. Every replica runs the cron; the advisory lock lets one of them work the slot
 * at a time, and the delivery rows it writes make any later run of the same period a no-op.
 */
export function startReportScheduler(options: SchedulerOptions): ReportScheduler {
  const { db, logger, timeZone } = options;

  async function fire(at: Date): Promise<SlotResult> {
    const period = previousPeriod(at, timeZone);
    const started = performance.now();
    const lock = await withAdvisoryLock(db.pool, `report-scheduler:${period}`, () =>
      requestScheduledReports(db, period),
    );
    const result: SlotResult = lock.acquired
      ? { period, fired: true, requested: lock.result }
      : { period, fired: false };
    logger.info(
      { event: 'report_slot', ...result, durationMs: Math.round(performance.now() - started) },
      lock.acquired ? 'report slot fired' : 'report slot held by another instance',
    );
    options.onFired?.(result);
    return result;
  }

  const fireLogged = async (at: Date) => {
    try {
      await fire(at);
    } catch (err) {
      logger.error({ event: 'report_slot_error', err }, 'report slot failed');
    }
  };
  const job = new Cron(options.cron, { timezone: timeZone, protect: true }, () => fireLogged(new Date()));

  async function catchUp(now = new Date()): Promise<SlotResult | null> {
    const last = job.previousRuns(1, now)[0];
    if (!last || now.getTime() - last.getTime() > (options.catchUpMs ?? 0)) return null;
    return fire(last);
  }
  if (options.catchUpMs)
    void catchUp().catch((err: unknown) => logger.error({ event: 'report_slot_error', err }, 'catch-up slot failed'));
  logger.info(
    { event: 'report_scheduler_started', cron: options.cron, timeZone, nextRun: job.nextRun()?.toISOString() },
    'report scheduler started',
  );

  return { fire, catchUp, nextRun: () => job.nextRun(), stop: () => job.stop() };
}
