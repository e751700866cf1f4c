import { type Bus, type DeadLetter, SUBJECTS } from '@pulse/bus';
import type { Db } from '@pulse/db';
import type { Logger } from '@pulse/logger';
import { markFailed } from './task-store';

export interface DeadLetterDeps {
  db: Db;
  bus: Pick<Bus, 'emit'>;
  logger: Logger;
}

/** The bus gave up on a task (too many attempts, or a permanent error): FAILED with the reason. */
export async function failAcquisition(deps: DeadLetterDeps, dead: DeadLetter<'acquisition.requested'>): Promise<void> {
  const parsed = SUBJECTS['acquisition.requested'].safeParse(dead.payload);
  if (!parsed.success) return;
  const { taskId } = parsed.data;
  const failed = await markFailed(deps.db, taskId, `the acquisition could not be completed (${dead.reason})`);
  if (!failed) return;
  deps.bus.emit('acquisition.completed', { taskId, userId: failed.userId, state: 'FAILED' });
  deps.logger.warn(
    { event: 'acquisition_failed', taskId, deliveryCount: dead.deliveryCount, reason: dead.reason },
    'acquisition given up',
  );
}
