import { apiState, findOwnedTask as findTask, listMeasurements, listTasks as listTaskPage } from '@pulse/acquisitions';
import type { AcquisitionTask, Db } from '@pulse/db';
import { findOwnedFiles } from '@pulse/files';
import { encodeCursor, type ListPosition } from '../files/cursor';
import { errors } from '../http/errors';
import { safeFilename } from '../files/filename';

/** Someone else's task and a missing one look the same: 404. */
export async function findOwnedTask(db: Db, o: { taskId: string; userId: string }): Promise<AcquisitionTask> {
  const task = await findTask(db, o);
  if (!task) throw errors.notFound('acquisition');
  return task;
}

export async function listTasks(
  db: Db,
  o: { userId: string; limit: number; after?: ListPosition },
): Promise<{ tasks: AcquisitionTask[]; nextCursor: string | null }> {
  const { tasks, more } = await listTaskPage(db, o);
  const last = tasks.at(-1);
  return { tasks, nextCursor: more && last ? encodeCursor(last) : null };
}

/**
 * The API shape of a task's state: what the progress bar polls. Receivers are captured at once for the
 * requested wall-clock duration and only then counted as stored, so the capture time is progress too:
 * without it a one-minute capture would sit at 0 % for its whole minute.
 */
export function taskStatus(task: AcquisitionTask, now = Date.now()) {
  const capturing = task.startedAt === null ? 0 : now - task.startedAt.getTime();
  return {
    taskId: task.id,
    state: apiState(task.state),
    progress: {
      current: task.current,
      total: task.total,
      successful: task.successful,
      failed: task.failed,
      captureMs: Math.max(0, Math.min(task.durationMs, Math.round(capturing))),
      captureTotalMs: task.durationMs,
    },
    ...(task.result === null ? {} : { result: task.result }),
    ...(task.error === null ? {} : { error: task.error }),
  };
}

/** A task as a list entry: what was asked, where it stands. */
export function taskSummary(task: AcquisitionTask) {
  return {
    ...taskStatus(task),
    frequencyHz: Number(task.frequencyHz),
    durationMs: task.durationMs,
    sampleRate: task.sampleRate,
    receivers: task.receivers,
    createdAt: task.createdAt.toISOString(),
    startedAt: task.startedAt?.toISOString() ?? null,
    finishedAt: task.finishedAt?.toISOString() ?? null,
  };
}

const fileLink = (fileId: string) => `/api/v1/files/${fileId}/download`;

/**
 * A task's stored measurements with their files. Links point at the API's download route (ownership
 * check, then 302 to a fresh presign), so they stay valid longer than any presigned URL would.
 */
export async function taskMeasurements(db: Db, task: AcquisitionTask) {
  const measurements = await listMeasurements(db, task);
  const fileIds = measurements.flatMap((m) => [m.npyFileId, m.metadataFileId]);
  const files = new Map((await findOwnedFiles(db, { fileIds, ownerId: task.userId })).map((f) => [f.id, f]));
  const describe = (fileId: string) => {
    const f = files.get(fileId);
    return {
      fileId,
      filename: f ? safeFilename(f.originalFilename) : null,
      size: f ? Number(f.sizeBytes) : null,
      sha256: f?.sha256 ?? null,
      available: f?.status === 'ready',
      downloadUrl: fileLink(fileId),
    };
  };
  return measurements.map((m) => ({
    receiverId: m.receiverId,
    sampleCount: m.sampleCount,
    snrDb: m.snrDb,
    sha256: m.npySha256,
    size: Number(m.npySize),
    startedAt: m.startedAt.toISOString(),
    endedAt: m.endedAt.toISOString(),
    npy: describe(m.npyFileId),
    metadata: describe(m.metadataFileId),
  }));
}
