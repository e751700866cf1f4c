import type { ArtifactFile, Db, ExportJob } from '@pulse/db';
import {
  deleteExport as deleteExportRows,
  findOwnedExport as findExport,
  listExports as listJobs,
  type OwnedExport,
} from '@pulse/exports';
import type { AppDeps } from '../deps';
import { encodeCursor, type ListPosition } from '../files/cursor';
import { errors } from '../http/errors';
import { safeFilename } from '../files/filename';

/** Ownership lives in the WHERE clause: someone else's export and no export are the same 404. */
export async function findOwnedExport(db: Db, options: { exportId: string; userId: string }): Promise<OwnedExport> {
  const job = await findExport(db, options);
  if (!job) throw errors.notFound('export');
  return job;
}

export async function listExports(
  db: Db,
  o: { userId: string; limit: number; after?: ListPosition },
): Promise<{ jobs: OwnedExport[]; nextCursor: string | null }> {
  const { jobs, more } = await listJobs(db, o);
  const last = jobs.at(-1);
  return { jobs, nextCursor: more && last ? encodeCursor(last) : null };
}

/**
 * What the owner sees. A succeeded export whose file has passed its retention (or was removed) is
 * expired; one whose object vanished from storage before that (cleanup found no object behind the row)
 * is missing: not retention doing its job but something to report, and the export can be requested again.
 */
export type ExportStatus = ExportJob['status'] | 'missing';

export function effectiveStatus(job: OwnedExport, now: Date): ExportStatus {
  if (job.status !== 'succeeded') return job.status;
  const file = job.file;
  if (file?.expiresAt && file.expiresAt <= now) return 'expired';
  if (file?.status === 'missing') return 'missing';
  if (file?.status !== 'ready') return 'expired';
  return 'succeeded';
}

/** The API shape of an export; the download link is the API's (it redirects), never a presigned URL. */
export function exportItem(job: OwnedExport, now: Date) {
  const status = effectiveStatus(job, now);
  return {
    id: job.id,
    format: job.format,
    status,
    deviceIds: job.deviceIds,
    metrics: job.metrics,
    from: job.fromTs.toISOString(),
    to: job.toTs.toISOString(),
    rowsDone: Number(job.rowsDone),
    sizeBytes: job.sizeBytes === null ? null : Number(job.sizeBytes),
    error: job.error,
    attempts: job.attempts,
    createdAt: job.createdAt.toISOString(),
    startedAt: job.startedAt?.toISOString() ?? null,
    finishedAt: job.finishedAt?.toISOString() ?? null,
    expiresAt: job.file?.expiresAt?.toISOString() ?? null,
    filename: job.file ? safeFilename(job.file.originalFilename) : null,
    downloadUrl: status === 'succeeded' ? `/api/v1/exports/${job.id}/download` : null,
  };
}

/** The file behind a downloadable export, or the 409/410 that says why there is none. */
export function exportFile(job: OwnedExport, now: Date): ArtifactFile {
  const status = effectiveStatus(job, now);
  if (status === 'queued' || status === 'running') throw errors.conflict('not_ready', 'the export is still running');
  if (status === 'failed')
    throw errors.conflict('export_failed', `the export failed: ${job.error ?? 'unknown reason'}`);
  if (status === 'missing')
    throw errors.gone('missing', 'the export file is no longer in storage (not expired); request it again');
  if (status === 'expired' || !job.file) throw errors.gone('expired', 'the export has expired; request it again');
  return job.file;
}

/**
 * Removes the job, its file row and artifact, then the object. Rows go first so the file is never
 * served again; an object whose delete fails is an orphan that cleanup-worker's reconciliation removes.
 * A job still running finds its row gone when it finishes and deletes what it wrote.
 */
export async function deleteExport(
  deps: Pick<AppDeps, 'db' | 'storage' | 'logger' | 'files'>,
  job: OwnedExport,
): Promise<void> {
  await deleteExportRows(deps.db, job);
  if (job.file) deps.files.forgetRow(`artifact_files:${job.file.id}`);
  const outcome = job.file ? await deps.storage.deleteQuietly(job.file.bucket, job.file.objectKey) : 'DELETED';
  deps.logger.info({ event: 'export_deleted', exportId: job.id, fileId: job.file?.id, outcome }, 'export deleted');
}
