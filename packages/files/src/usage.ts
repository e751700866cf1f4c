import type { ArtifactKind, Prisma } from '@pulse/db';

export interface FileUsage {
  count: number;
  bytes: number;
}

/**
 * What one user's files of one kind take right now (rows not deleted and not past their expiry; with
 * `pendingOnly`, unfinished uploads alone), for quotas. Runs in the caller's transaction, so a caller
 * that holds a per-user lock (`lockedTransaction`) checks and inserts as one step.
 */
export async function fileUsage(
  tx: Prisma.TransactionClient,
  q: { ownerId: string; kind: ArtifactKind; pendingOnly?: boolean; now: Date },
): Promise<FileUsage> {
  const [row] = await tx.$queryRaw<{ n: number; bytes: string }[]>`
    SELECT count(*)::int AS n, coalesce(sum(f.size_bytes), 0)::text AS bytes
      FROM artifact_files f JOIN artifacts a ON a.id = f.artifact_id
     WHERE f.owner_id = ${q.ownerId}::uuid AND a.kind::text = ${q.kind}
       AND f.status <> 'deleted' AND (NOT ${q.pendingOnly ?? false} OR f.status = 'pending')
       AND (f.expires_at IS NULL OR f.expires_at > ${q.now})`;
  return { count: row?.n ?? 0, bytes: Number(row?.bytes ?? 0) };
}
