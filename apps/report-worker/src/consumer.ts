import { type Bus, type Consumer, exponentialBackoff, PermanentError } from '@pulse/bus';
import { FollowerNotFoundError, markGivenUp } from '@pulse/reports';
import type { JobMetrics } from '@pulse/runtime';
import { handleReportRequested, type ReportHandlerDeps } from './handle-report-requested';

export interface ReportConsumerOptions {
  concurrency: number;
  maxDeliver: number;
  /** Outcome and duration of each attempt (`pulse_report_jobs_total`, `pulse_report_job_duration_seconds`). */
  jobs?: JobMetrics;
}

/**
 * Subscribes the handler to `report.requested`. Retries back off up to the claim timeout, so that a
 * message finding the delivery claimed by a worker that then died outlives that claim and finishes the job.
 */
export function consumeReportRequests(
  bus: Bus,
  deps: ReportHandlerDeps,
  options: ReportConsumerOptions,
): Promise<Consumer> {
  const claimMs = deps.settings.claimTimeoutSec * 1000;
  return bus.consume(
    'report.requested',
    async (payload, ctx) => {
      const attempt = async () => {
        try {
          await handleReportRequested(deps, { period: payload.period, followerId: payload.followerId }, ctx);
        } catch (err) {
          if (err instanceof FollowerNotFoundError) throw new PermanentError(err.message, { cause: err });
          throw err;
        }
      };
      if (!options.jobs) return attempt();
      await options.jobs.track(
        attempt,
        (err) => err instanceof PermanentError || ctx.deliveryCount >= options.maxDeliver,
      );
    },
    {
      durable: 'report-worker',
      concurrency: options.concurrency,
      maxDeliver: options.maxDeliver,
      backoffMs: exponentialBackoff({ baseMs: Math.min(10_000, claimMs), maxMs: claimMs }),
      // A malformed message names no delivery: it is only dead-lettered.
      onDeadLetter: async (dead, payload) => {
        if (payload)
          await markGivenUp(deps.db, { period: payload.period, followerId: payload.followerId }, dead.reason);
      },
    },
  );
}
