import type { Bus, Consumer, ConsumeOptions } from '@pulse/bus';
import { failExport } from './dead-letter';
import { type ExportDeps, handleExport } from './handle-export';

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
    onDeadLetter: (dead) => failExport(deps, dead),
  });
}
