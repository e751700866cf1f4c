import type { Db, ExportFormat, Prisma } from '@pulse/db';
import { registerFile } from '@pulse/files';
import type { NewExport } from './create';

/** The parts of an export_jobs row the worker needs: what was asked, plus its id and attempts. */
export interface ClaimedExport extends NewExport {
  id: string;
  attempts: number;
}

interface JobRow {
  id: string;
  user_id: string;
  format: ExportFormat;
  device_ids: string[];
  metrics: string[];
  from_ts: Date;
  to_ts: Date;
  attempts: number;
}

export type ClaimResult = { claimed: true; job: ClaimedExport } | { claimed: false; status: string | null };

const toJob = (r: JobRow): ClaimedExport => ({
  id: r.id,
  userId: r.user_id,
  format: r.format,
  deviceIds: r.device_ids,
  metrics: r.metrics,
  from: r.from_ts,
  to: r.to_ts,
  attempts: r.attempts,
});

// Guarded transitions that compute in the database (attempts + 1, now()) in one statement: raw SQL.

/**
 * Guarded transition queued|running -> running. `running` is allowed because a worker that died
 * mid-export leaves the row running and its message is redelivered; a finished job is never reopened.
 */
export async function claimJob(db: Db, exportId: string): Promise<ClaimResult> {
  const { rows } = await db.pool.query<JobRow>(
    `UPDATE export_jobs
        SET status = 'running', attempts = attempts + 1, rows_done = 0, error = NULL,
            started_at = now(), heartbeat_at = now()
      WHERE id = $1 AND status IN ('queued', 'running')
      RETURNING id, user_id, format, device_ids, metrics, from_ts, to_ts, attempts`,
    [exportId],
  );
  const row = rows[0];
  if (row) return { claimed: true, job: toJob(row) };
  const found = await db.pool.query<{ status: string }>('SELECT status FROM export_jobs WHERE id = $1', [exportId]);
  return { claimed: false, status: found.rows[0]?.status ?? null };
}

export async function recordProgress(db: Db, exportId: string, rowsDone: number): Promise<void> {
  await db.pool.query(
    `UPDATE export_jobs SET rows_done = $2, heartbeat_at = now() WHERE id = $1 AND status = 'running'`,
    [exportId, rowsDone],
  );
}

/** An attempt failed but will be retried: back to queued, with the reason visible to the user meanwhile. */
export async function releaseForRetry(db: Db, exportId: string, reason: string): Promise<void> {
  await db.pool.query(`UPDATE export_jobs SET status = 'queued', error = $2 WHERE id = $1 AND status = 'running'`, [
    exportId,
    reason.slice(0, 1000),
  ]);
}

/** Terminal failure; returns the owner so the caller can notify them, or null if the job is gone or finished. */
export async function markFailed(db: Db, exportId: string, reason: string): Promise<{ userId: string } | null> {
  const { rows } = await db.pool.query<{ user_id: string }>(
    `UPDATE export_jobs SET status = 'failed', error = $2, finished_at = now()
      WHERE id = $1 AND status IN ('queued', 'running')
      RETURNING user_id`,
    [exportId, reason.slice(0, 1000)],
  );
  return rows[0] ? { userId: rows[0].user_id } : null;
}

export interface CompletedFile {
  bucket: string;
  key: string;
  contentType: string;
  filename: string;
  size: number;
  sha256: string;
  rows: number;
  expiresAt: Date;
}

export type CompleteResult = { completed: true; fileId: string } | { completed: false; reason: 'gone' | 'finished' };

/**
 * Artifact + file + job in one transaction. The job row is locked first, so two deliveries racing to
 * finish the same export serialise here and the second sees `succeeded`; the file row is keyed on
 * (bucket, object_key), so even a half-cleaned earlier attempt can't produce a second row.
 */
export async function completeJob(db: Db, job: ClaimedExport, file: CompletedFile): Promise<CompleteResult> {
  return db.prisma.$transaction(async (tx) => {
    const current = await tx.$queryRaw<
      { status: string }[]
    >`SELECT status::text FROM export_jobs WHERE id = ${job.id}::uuid FOR UPDATE`;
    const status = current[0]?.status;
    if (!status) return { completed: false, reason: 'gone' } as const;
    if (status !== 'running' && status !== 'queued') return { completed: false, reason: 'finished' } as const;

    const { fileId } = await registerFile(tx, {
      artifact: { ownerId: job.userId, kind: 'export', title: file.filename },
      file: {
        bucket: file.bucket,
        objectKey: file.key,
        contentType: file.contentType,
        sizeBytes: file.size,
        sha256: file.sha256,
        originalFilename: file.filename,
        status: 'ready',
        expiresAt: file.expiresAt,
      },
    });
    await tx.exportJob.update({
      where: { id: job.id },
      data: {
        status: 'succeeded',
        fileId,
        sizeBytes: BigInt(file.size),
        rowsDone: BigInt(file.rows),
        error: null,
        finishedAt: new Date(),
        heartbeatAt: new Date(),
      },
    });
    return { completed: true, fileId } as const;
  });
}

/**
 * An operator replays the dead letter of a failed export (`pnpm pulse dlq replay`): the job is queued
 * again, in the transaction that records the replay and writes the new message. False when the job is
 * gone or not failed (nothing to replay: it succeeded, or is queued or running already).
 */
export async function requeueForReplay(tx: Prisma.TransactionClient, exportId: string): Promise<boolean> {
  const changed = await tx.$executeRaw`UPDATE export_jobs
    SET status = 'queued', error = NULL, finished_at = NULL, rows_done = 0
    WHERE id = ${exportId}::uuid AND status = 'failed'`;
  return changed === 1;
}
