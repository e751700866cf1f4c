import type { Bus, Consumer } from '@pulse/bus';
import { failAcquisition } from './dead-letter';
import { type AcquisitionDeps, handleAcquisition } from './handle-acquisition';

export interface ConsumerOptions {
  /** Tasks handled at once by this replica. */
  concurrency: number;
  maxDeliver: number;
  /** Delay before a failed attempt is retried (default: the bus's exponential backoff). */
  backoffMs?: (deliveryCount: number) => number;
}

/** Pulls `acquisition.requested` on the shared durable, so replicas split the tasks between them. */
export function startAcquisitionConsumer(bus: Bus, deps: AcquisitionDeps, options: ConsumerOptions): Promise<Consumer> {
  return bus.consume('acquisition.requested', (payload, ctx) => handleAcquisition(deps, payload, ctx), {
    durable: 'acquisition-worker',
    concurrency: options.concurrency,
    maxDeliver: options.maxDeliver,
    backoffMs: options.backoffMs,
    onDeadLetter: (dead) => failAcquisition({ ...deps, bus }, dead),
  });
}
