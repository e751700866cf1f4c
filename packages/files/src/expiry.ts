import type { Db } from '@pulse/db';

export interface ExpiringFile {
  id: string;
  bucket: string;
  objectKey: string;
  sizeBytes: number;
}

export interface ExpiredFilesQuery {
  /** Keyset position: ids greater than this one. */
  afterId: string;
  /** Files whose own `expires_at` is before this instant. */
  now: Date;
  /** Files of each artifact kind created before these instants (now minus that kind's retention). */
  createdBefore: { export: Date; report: Date; acquisition: Date };
  limit: number;
}

// Bulk statements (a retention page at a time): raw SQL. Keyset pagination by id: rows whose object
// delete failed stay unchanged and must not be picked up again within the same run, while the next run
// retries them from the start.
const SELECT_EXPIRED = `
  SELECT f.id, f.bucket, f.object_key, f.size_bytes
    FROM artifact_files f
    JOIN artifacts a ON a.id = f.artifact_id
   WHERE f.status <> 'deleted'
     AND f.id > $1
     AND (f.expires_at < $2
          OR (a.kind = 'export' AND f.created_at < $3)
          OR (a.kind = 'report' AND f.created_at < $4)
          OR (a.kind = 'acquisition' AND f.created_at < $5))
   ORDER BY f.id
   LIMIT $6`;

// One statement, so a file is never marked deleted without the export job that points at it becoming
// expired (the one place a file's state moves another table's row: they must not be seen apart).
const MARK_EXPIRED = `
  WITH gone AS (
    UPDATE artifact_files SET status = 'deleted', deleted_at = $2, updated_at = $2
     WHERE id = ANY($1::uuid[]) AND status <> 'deleted'
     RETURNING id
  ), jobs AS (
    UPDATE export_jobs SET status = 'expired'
     WHERE file_id IN (SELECT id FROM gone)
     RETURNING id
  )
  SELECT (SELECT count(*) FROM gone)::int AS files, (SELECT count(*) FROM jobs)::int AS jobs`;

/** Files past their retention (by artifact kind) or past their own `expires_at`, by id. */
export async function listExpiredFiles(db: Db, q: ExpiredFilesQuery): Promise<ExpiringFile[]> {
  const { rows } = await db.pool.query<{ id: string; bucket: string; object_key: string; size_bytes: string }>(
    SELECT_EXPIRED,
    [q.afterId, q.now, q.createdBefore.export, q.createdBefore.report, q.createdBefore.acquisition, q.limit],
  );
  return rows.map((r) => ({ id: r.id, bucket: r.bucket, objectKey: r.object_key, sizeBytes: Number(r.size_bytes) }));
}

/**
 * Files whose objects are confirmed gone become `deleted`, and their export jobs `expired`; returns how
 * many rows of each changed.
 */
export async function expireFiles(db: Db, fileIds: string[], at: Date): Promise<{ files: number; jobs: number }> {
  const { rows } = await db.pool.query<{ files: number; jobs: number }>(MARK_EXPIRED, [fileIds, at]);
  return rows[0] ?? { files: 0, jobs: 0 };
}
