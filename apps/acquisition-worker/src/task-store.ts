import type { AcquisitionState, Db, Prisma } from '@pulse/db';
import { artifactTitle } from './measurement-files';
import type { AcquisitionResult } from './result';

/** The parts of an acquisition_tasks row the worker needs. */
export interface AcquisitionTask {
  id: string;
  userId: string;
  frequencyHz: number;
  durationMs: number;
  sampleRate: number;
  receivers: string[];
  artifactId: string;
}

/** One receiver's stored .npy + metadata pair, as it appears in the task result. */
export type StoredMeasurement = {
  receiverId: string;
  npyFileId: string;
  metadataFileId: string;
  sha256: string;
  size: number;
  sampleCount: number;
  snrDb: number | null;
};

export interface Counters {
  current: number;
  total: number;
  successful: number;
  failed: number;
}

export type ClaimResult =
  | { claimed: true; task: AcquisitionTask; stored: StoredMeasurement[] }
  | { claimed: false; state: AcquisitionState | null };

const FINAL: AcquisitionState[] = ['SUCCESS', 'PARTIAL_FAILURE', 'FAILED'];

type MeasurementRow = Prisma.MeasurementGetPayload<object>;

const toStored = (m: MeasurementRow): StoredMeasurement => ({
  receiverId: m.receiverId,
  npyFileId: m.npyFileId,
  metadataFileId: m.metadataFileId,
  sha256: m.npySha256,
  size: Number(m.npySize),
  sampleCount: m.sampleCount,
  snrDb: m.snrDb,
});

/**
 * Guarded transition queued|running -> running. `running` is allowed because a worker that died
 * mid-task leaves the row running and the message is redelivered: receivers already stored by the
 * earlier attempt count as done and are not captured again. A finished task is never reopened.
 */
export async function claimTask(db: Db, taskId: string): Promise<ClaimResult> {
  return db.prisma.$transaction(async (tx) => {
    // Row lock: two deliveries racing (ack-wait expiry during a long pause) serialise here.
    const locked = await tx.$queryRaw<
      { id: string }[]
    >`SELECT id FROM acquisition_tasks WHERE id = ${taskId}::uuid FOR UPDATE`;
    if (locked.length === 0) return { claimed: false, state: null };
    const row = await tx.acquisitionTask.findUniqueOrThrow({ where: { id: taskId }, include: { measurements: true } });
    if (FINAL.includes(row.state)) return { claimed: false, state: row.state };

    // One artifact groups the task's files; created once, on the first claim.
    const artifactId =
      row.artifactId ??
      (
        await tx.artifact.create({
          data: { ownerId: row.userId, kind: 'acquisition', title: artifactTitle(Number(row.frequencyHz)) },
        })
      ).id;
    const done = row.measurements.filter((m) => row.receivers.includes(m.receiverId));
    await tx.acquisitionTask.update({
      where: { id: taskId },
      data: {
        state: 'running',
        artifactId,
        startedAt: row.startedAt ?? new Date(),
        total: row.receivers.length,
        current: done.length,
        successful: done.length,
        failed: 0,
        error: null,
      },
    });
    return {
      claimed: true,
      task: {
        id: row.id,
        userId: row.userId,
        frequencyHz: Number(row.frequencyHz),
        durationMs: row.durationMs,
        sampleRate: row.sampleRate,
        receivers: row.receivers,
        artifactId,
      },
      stored: done.map(toStored),
    };
  });
}

export interface StoredFile {
  bucket: string;
  key: string;
  contentType: string;
  size: number;
  sha256: string;
  filename: string;
}

export interface MeasurementRecord {
  task: AcquisitionTask;
  receiverId: string;
  sampleCount: number;
  snrDb: number | null;
  startedAt: Date;
  endedAt: Date;
  npy: StoredFile;
  metadata: StoredFile;
}

/**
 * Records a stored pair: artifact_files rows upserted on (bucket, key) and the measurement on
 * (task, receiver), so a redelivered task that stores the same receiver again updates, never duplicates.
 */
export async function saveMeasurement(db: Db, record: MeasurementRecord): Promise<StoredMeasurement> {
  const { task } = record;
  return db.prisma.$transaction(async (tx) => {
    const upsertFile = (file: StoredFile) => {
      const fields = {
        contentType: file.contentType,
        sizeBytes: BigInt(file.size),
        sha256: file.sha256,
        originalFilename: file.filename,
        status: 'ready' as const,
        deletedAt: null,
      };
      return tx.artifactFile.upsert({
        where: { bucket_objectKey: { bucket: file.bucket, objectKey: file.key } },
        create: {
          artifactId: task.artifactId,
          ownerId: task.userId,
          bucket: file.bucket,
          objectKey: file.key,
          ...fields,
        },
        update: fields,
      });
    };
    const npyFile = await upsertFile(record.npy);
    const metadataFile = await upsertFile(record.metadata);
    const fields = {
      sampleCount: record.sampleCount,
      snrDb: record.snrDb,
      npyFileId: npyFile.id,
      metadataFileId: metadataFile.id,
      npySha256: record.npy.sha256,
      npySize: BigInt(record.npy.size),
      startedAt: record.startedAt,
      endedAt: record.endedAt,
    };
    const row = await tx.measurement.upsert({
      where: { taskId_receiverId: { taskId: task.id, receiverId: record.receiverId } },
      create: { taskId: task.id, receiverId: record.receiverId, ...fields },
      update: fields,
    });
    return toStored(row);
  });
}

/** One receiver finished (stored or failed): counters move atomically, whatever runs in parallel. */
export async function countReceiver(db: Db, taskId: string, ok: boolean): Promise<Counters> {
  const row = await db.prisma.acquisitionTask.update({
    where: { id: taskId },
    data: { current: { increment: 1 }, ...(ok ? { successful: { increment: 1 } } : { failed: { increment: 1 } }) },
    select: { current: true, total: true, successful: true, failed: true },
  });
  return row;
}

export async function finishTask(
  db: Db,
  taskId: string,
  outcome: { result: AcquisitionResult; error: string | null },
): Promise<void> {
  await db.prisma.acquisitionTask.update({
    where: { id: taskId },
    data: { state: outcome.result.status, result: outcome.result, error: outcome.error, finishedAt: new Date() },
  });
}

/** The bus gave up on the task: FAILED with a reason, unless it already finished. */
export async function markFailed(db: Db, taskId: string, reason: string): Promise<{ userId: string } | null> {
  const rows = await db.prisma.acquisitionTask.updateManyAndReturn({
    where: { id: taskId, state: { notIn: FINAL } },
    data: { state: 'FAILED', error: reason, finishedAt: new Date() },
    select: { userId: true },
  });
  return rows[0] ?? null;
}
