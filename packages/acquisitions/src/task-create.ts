import { type Db, enqueueOutbox, lockedTransaction } from '@pulse/db';

export interface NewTask {
  userId: string;
  frequencyHz: number;
  durationMs: number;
  sampleRate: number;
  /** Registry ids, already checked by the caller against the enabled receivers. */
  receivers: string[];
}

export type CreateTaskResult = { created: true; taskId: string } | { created: false; active: number };

/**
 * Writes the task and its `acquisition.requested` outbox row in one transaction: the worker hears of
 * the task only if it exists, and a NATS outage delays the acquisition instead of losing it. A user
 * with `maxActive` tasks queued or running gets `created: false` and nothing is written.
 */
export function createTask(db: Db, task: NewTask, limits: { maxActive: number }): Promise<CreateTaskResult> {
  // One user's requests run one at a time (on every replica), so a burst can't overshoot the cap.
  return lockedTransaction(db, `acquisition:${task.userId}`, async (tx) => {
    const active = await tx.acquisitionTask.count({
      where: { userId: task.userId, state: { in: ['QUEUED', 'RUNNING'] } },
    });
    if (active >= limits.maxActive) return { created: false, active } as const;
    const { id } = await tx.acquisitionTask.create({
      data: {
        userId: task.userId,
        frequencyHz: BigInt(task.frequencyHz),
        durationMs: task.durationMs,
        sampleRate: task.sampleRate,
        receivers: task.receivers,
        total: task.receivers.length,
      },
      select: { id: true },
    });
    await enqueueOutbox(tx, { subject: 'acquisition.requested', payload: { taskId: id }, msgId: `acquisition:${id}` });
    return { created: true, taskId: id } as const;
  });
}
