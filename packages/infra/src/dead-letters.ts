import type { DeadLetterHandler, Payload, Subject } from '@pulse/bus';
import type { Logger } from '@pulse/logger';

export interface FailJobOptions<S extends Subject> {
  /** What the job is, for the log line: `{what}_failed`, "{what} given up". */
  what: string;
  logger: Logger;
  /** Marks the job the message names as failed, with the bus's reason; its owner, or null when it had
   *  already finished (or is gone) and nobody is told. */
  fail(payload: Payload<S>, reason: string): Promise<{ userId: string } | null>;
  /** Tells the owner (a completion event on the bus). */
  notify(payload: Payload<S>, owner: { userId: string }): void;
}

/**
 * The dead-letter handler a job's consumer passes to `bus.consume`: the bus gave up on the message
 * (too many attempts, or a permanent error), so its job fails with the reason and its owner hears of it.
 * A malformed message names no job and is only dead-lettered.
 */
export function failJobOnDeadLetter<S extends Subject>(o: FailJobOptions<S>): DeadLetterHandler<S> {
  return async (dead, payload) => {
    if (!payload) return;
    const owner = await o.fail(payload, dead.reason);
    if (!owner) return;
    o.notify(payload, owner);
    // The payload names the job (`exportId`, `taskId`): logged as it is.
    const fields: Record<string, unknown> = { event: `${o.what}_failed`, ...payload };
    o.logger.warn({ ...fields, deliveryCount: dead.deliveryCount, reason: dead.reason }, `${o.what} given up`);
  };
}
