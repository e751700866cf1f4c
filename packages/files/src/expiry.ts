import type { Db, Prisma } from '@pulse/db';

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

/** Files past their retention (by artifact kind) or past their own `expires_at`, by id. */
export async function listExpiredFiles(db: Db, q: ExpiredFilesQuery): Promise<ExpiringFile[]> {
  const { rows } = await db.pool.query<{ id: string; bucket: string; object_key: string; size_bytes: string }>(
    SELECT_EXPIRED,
    [q.afterId, q.now, q.createdBefore.export, q.createdBefore.report, q.createdBefore.acquisition, q.limit],
  );
  return rows.map((r) => ({ id: r.id, bucket: r.bucket, objectKey: r.object_key, sizeBytes: Number(r.size_bytes) }));
}

/**
 * Files whose objects are confirmed gone become `deleted`; returns the ids that changed. In the caller's
 * transaction, so that the export jobs of those files (`@pulse/exports` `expireExportsOfFiles`) turn
 * `expired` with them: a file is never seen deleted while its job still says `succeeded`.
 */
export async function expireFiles(tx: Prisma.TransactionClient, fileIds: string[], at: Date): Promise<string[]> {
  if (fileIds.length === 0) return [];
  const rows = await tx.artifactFile.updateManyAndReturn({
    where: { id: { in: fileIds }, status: { not: 'deleted' } },
    data: { status: 'deleted', deletedAt: at, updatedAt: at },
    select: { id: true },
  });
  return rows.map((r) => r.id);
}
