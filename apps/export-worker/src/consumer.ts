import { type Bus, type Consumer, type ConsumeOptions, PermanentError } from '@pulse/bus';
import type { JobMetrics } from '@pulse/runtime';
import { markFailed } from '@pulse/exports';
import { failJobOnDeadLetter } from '@pulse/infra';
import { type ExportDeps, handleExport } from './handle-export-requested';

export type ExportConsumerOptions = Pick<
  ConsumeOptions<'export.requested'>,
  'maxDeliver' | 'concurrency' | 'backoffMs' | 'ackWaitMs'
>;

export type ExportConsumerDeps = ExportDeps & {
  bus: Pick<Bus, 'emit' | 'consume'>;
  /** Outcome and duration of each attempt (`pulse_export_jobs_total`, `pulse_export_job_duration_seconds`). */
  jobs?: JobMetrics;
};

/** The durable `export.requested` consumer: replicas share it; a message given up on fails its job. */
export function startExportConsumer(deps: ExportConsumerDeps, options: ExportConsumerOptions): Promise<Consumer> {
  const { jobs } = deps;
  const isFinal = (err: unknown, deliveryCount: number) =>
    err instanceof PermanentError || (options.maxDeliver !== undefined && deliveryCount >= options.maxDeliver);
  const handle: typeof handleExport = (d, payload, ctx) =>
    jobs
      ? jobs.track(
          () => handleExport(d, payload, ctx),
          (err) => isFinal(err, ctx.deliveryCount),
        )
      : handleExport(d, payload, ctx);
  return deps.bus.consume('export.requested', (payload, ctx) => handle(deps, payload, ctx), {
    durable: 'export-worker',
    ...options,
    onDeadLetter: failExport(deps),
  });
}

/** The bus gave up on an export: the job becomes `failed` with a reason its owner can read. */
function failExport(deps: Pick<ExportConsumerDeps, 'db' | 'bus' | 'logger'>) {
  return failJobOnDeadLetter<'export.requested'>({
    what: 'export',
    logger: deps.logger,
    fail: ({ exportId }, reason) => markFailed(deps.db, exportId, `the export could not be completed (${reason})`),
    notify: ({ exportId }, { userId }) => deps.bus.emit('export.completed', { exportId, userId, status: 'failed' }),
  });
}
