import type { Db } from '@pulse/db';

export type CancelOutcome = { cancelled: true } | { cancelled: false; state: string | null };

/**
 * Guarded transition queued|running → CANCELLED for the task's owner. A finished task keeps its
 * state; someone else's task and a missing one both give `state: null` (the API answers 404).
 */
export async function cancelTask(db: Db, o: { taskId: string; userId: string }): Promise<CancelOutcome> {
  const { rows } = await db.pool.query<{ id: string }>(
    `UPDATE acquisition_tasks
        SET state = 'CANCELLED', error = 'cancelled by the user', finished_at = now()
      WHERE id = $1 AND user_id = $2 AND state IN ('QUEUED', 'RUNNING')
      RETURNING id`,
    [o.taskId, o.userId],
  );
  if (rows[0]) return { cancelled: true };
  const found = await db.prisma.acquisitionTask.findFirst({
    where: { id: o.taskId, userId: o.userId },
    select: { state: true },
  });
  return { cancelled: false, state: found?.state ?? null };
}

/** Whether the task was cancelled: the worker's check for a cancel event it may have missed. */
export async function isCancelled(db: Db, taskId: string): Promise<boolean> {
  const found = await db.prisma.acquisitionTask.findUnique({ where: { id: taskId }, select: { state: true } });
  return found?.state === 'CANCELLED';
}
