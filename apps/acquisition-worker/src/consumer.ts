import { markFailed } from '@pulse/acquisitions';
import type { Bus, Consumer } from '@pulse/bus';
import { failJobOnDeadLetter } from '@pulse/infra';
import { type AcquisitionDeps, handleAcquisition } from './handle-acquisition-requested';

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
    onDeadLetter: failAcquisition({ ...deps, bus }),
  });
}

/** The bus gave up on a task (too many attempts, or a permanent error): FAILED with the reason. */
function failAcquisition(deps: Pick<AcquisitionDeps, 'db' | 'bus' | 'logger'>) {
  return failJobOnDeadLetter<'acquisition.requested'>({
    what: 'acquisition',
    logger: deps.logger,
    fail: ({ taskId }, reason) => markFailed(deps.db, taskId, `the acquisition could not be completed (${reason})`),
    notify: ({ taskId }, { userId }) => deps.bus.emit('acquisition.completed', { taskId, userId, state: 'FAILED' }),
  });
}
