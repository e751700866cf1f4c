import type { ArtifactFile, Db, ExportJob, JobStatus } from '@pulse/db';
import { deleteArtifact } from '@pulse/files';

export type OwnedExport = ExportJob & { file: ArtifactFile | null };

/** Ownership lives in the WHERE clause: someone else's export and no export are the same `null`. */
export function findOwnedExport(db: Db, o: { exportId: string; userId: string }): Promise<OwnedExport | null> {
  return db.prisma.exportJob.findFirst({ where: { id: o.exportId, userId: o.userId }, include: { file: true } });
}

export interface ListExportsOptions {
  userId: string;
  limit: number;
  /** Keyset position: the last job of the previous page. */
  after?: { createdAt: Date; id: string };
}

/** The user's exports with their files, newest first, one keyset page at a time (`more`: another follows). */
export async function listExports(db: Db, o: ListExportsOptions): Promise<{ jobs: OwnedExport[]; more: boolean }> {
  const rows = await db.prisma.exportJob.findMany({
    where: {
      userId: o.userId,
      ...(o.after
        ? { OR: [{ createdAt: { lt: o.after.createdAt } }, { createdAt: o.after.createdAt, id: { lt: o.after.id } }] }
        : {}),
    },
    include: { file: true },
    orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
    take: o.limit + 1,
  });
  return { jobs: rows.slice(0, o.limit), more: rows.length > o.limit };
}

/** How many jobs are in each status (the API's gauge). */
export async function countExportsByStatus(db: Db): Promise<{ status: JobStatus; count: number }[]> {
  const counts = await db.prisma.exportJob.groupBy({ by: ['status'], _count: { _all: true } });
  return counts.map((c) => ({ status: c.status, count: c._count._all }));
}

/**
 * Removes the owner's job with its file row and artifact in one transaction (the object is the caller's
 * to delete afterwards). A job still running finds its row gone when it finishes and deletes what it wrote.
 */
export async function deleteExport(db: Db, job: Pick<OwnedExport, 'id' | 'userId' | 'file'>): Promise<void> {
  await db.prisma.$transaction(async (tx) => {
    await tx.exportJob.deleteMany({ where: { id: job.id, userId: job.userId } });
    if (job.file) await deleteArtifact(tx, { artifactId: job.file.artifactId, ownerId: job.userId });
  });
}
