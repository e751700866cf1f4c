import type { Db, Prisma } from '@pulse/db';
import type { OwnedFile } from './queries';

/**
 * pending → ready once the object is confirmed (an upload's HEAD), optionally at the key it was moved to
 * (a browser upload is copied out of its staging key); null if the row is no longer pending.
 */
export async function markReady(
  db: Db,
  fileId: string,
  at: { objectKey?: string; now?: Date } = {},
): Promise<OwnedFile | null> {
  // With `now`: only while the pending row has not expired, and the expiry (an unfinished upload's
  // deadline) is cleared: a finished upload is kept without a time limit.
  const rows = await db.prisma.artifactFile.updateManyAndReturn({
    where: {
      id: fileId,
      status: 'pending',
      ...(at.now ? { OR: [{ expiresAt: null }, { expiresAt: { gt: at.now } }] } : {}),
    },
    data: {
      status: 'ready',
      ...(at.objectKey ? { objectKey: at.objectKey } : {}),
      ...(at.now ? { expiresAt: null } : {}),
    },
    include: { artifact: { select: { kind: true } } },
  });
  return rows[0] ?? null;
}

/** A user removed the file: it is never served again; the object goes after (or by reconciliation). */
export async function markDeleted(db: Db, fileId: string, at: Date): Promise<void> {
  await db.prisma.artifactFile.update({ where: { id: fileId }, data: { status: 'deleted', deletedAt: at } });
}

// Bulk (a page of reconciliation candidates): raw SQL, one statement.
const MARK_MISSING = `
  UPDATE artifact_files SET status = 'missing', updated_at = $2
   WHERE id = ANY($1::uuid[]) AND status = 'ready'
   RETURNING id`;

/** Ready rows whose object is confirmed gone become `missing`; returns the ids that changed. */
export async function markMissing(db: Db, fileIds: string[], at: Date): Promise<string[]> {
  if (fileIds.length === 0) return [];
  const { rows } = await db.pool.query<{ id: string }>(MARK_MISSING, [fileIds, at]);
  return rows.map((r) => r.id);
}

/** Removes an artifact with its file rows (the owner's only), in the caller's transaction. */
export async function deleteArtifact(
  tx: Prisma.TransactionClient,
  options: { artifactId: string; ownerId: string },
): Promise<void> {
  await tx.artifact.deleteMany({ where: { id: options.artifactId, ownerId: options.ownerId } });
}
