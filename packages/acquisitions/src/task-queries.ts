import type { AcquisitionTask, Db, Measurement } from '@pulse/db';

/** Ownership lives in the WHERE clause: someone else's task and a missing one are the same `null`. */
export function findOwnedTask(db: Db, o: { taskId: string; userId: string }): Promise<AcquisitionTask | null> {
  return db.prisma.acquisitionTask.findFirst({ where: { id: o.taskId, userId: o.userId } });
}

export interface ListTasksOptions {
  userId: string;
  limit: number;
  /** Keyset position: the last task of the previous page. */
  after?: { createdAt: Date; id: string };
}

/** The user's tasks, newest first, one keyset page at a time (`more`: another page follows). */
export async function listTasks(db: Db, o: ListTasksOptions): Promise<{ tasks: AcquisitionTask[]; more: boolean }> {
  const rows = await db.prisma.acquisitionTask.findMany({
    where: {
      userId: o.userId,
      ...(o.after
        ? { OR: [{ createdAt: { lt: o.after.createdAt } }, { createdAt: o.after.createdAt, id: { lt: o.after.id } }] }
        : {}),
    },
    orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
    take: o.limit + 1,
  });
  return { tasks: rows.slice(0, o.limit), more: rows.length > o.limit };
}

/** A task's stored measurements, in the order of the task's receivers. */
export async function listMeasurements(
  db: Db,
  task: Pick<AcquisitionTask, 'id' | 'receivers'>,
): Promise<Measurement[]> {
  const rows = await db.prisma.measurement.findMany({ where: { taskId: task.id } });
  const order = (receiverId: string) => task.receivers.indexOf(receiverId);
  return rows.sort((a, b) => order(a.receiverId) - order(b.receiverId));
}
