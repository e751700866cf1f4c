import type { Bus, Consumer, ConsumeOptions, DeadLetterHandler } from '@pulse/bus';
import { markFailed } from '@pulse/exports';
import { type ExportDeps, handleExport } from './handle-export-requested';

export type ExportConsumerOptions = Pick<
  ConsumeOptions<'export.requested'>,
  'maxDeliver' | 'concurrency' | 'backoffMs' | 'ackWaitMs'
>;

export type ExportConsumerDeps = ExportDeps & { bus: Pick<Bus, 'emit' | 'consume'> };

/** The durable `export.requested` consumer: replicas share it; a message given up on fails its job. */
export function startExportConsumer(deps: ExportConsumerDeps, options: ExportConsumerOptions): Promise<Consumer> {
  return deps.bus.consume('export.requested', (payload, ctx) => handleExport(deps, payload, ctx), {
    durable: 'export-worker',
    ...options,
    onDeadLetter: failExport(deps),
  });
}

/** The bus gave up on an export: the job becomes `failed` with a reason its owner can read. */
function failExport(deps: Pick<ExportConsumerDeps, 'db' | 'bus' | 'logger'>): DeadLetterHandler<'export.requested'> {
  return async (dead, payload) => {
    if (!payload) return;
    const { exportId } = payload;
    const failed = await markFailed(deps.db, exportId, `the export could not be completed (${dead.reason})`);
    if (!failed) return;
    deps.bus.emit('export.completed', { exportId, userId: failed.userId, status: 'failed' });
    deps.logger.warn(
      { event: 'export_failed', exportId, deliveryCount: dead.deliveryCount, reason: dead.reason },
      'export given up',
    );
  };
}
