import type { ArtifactFile, ArtifactKind, Db } from '@pulse/db';
import { errors } from '../http/errors';
import { encodeCursor, type ListPosition } from './cursor';

export type OwnedFile = ArtifactFile & { artifact: { kind: ArtifactKind } };

/** Ownership lives in the WHERE clause: someone else's file and no file are the same 404. */
export async function findOwnedFile(db: Db, options: { fileId: string; ownerId: string }): Promise<OwnedFile> {
  const file = await db.prisma.artifactFile.findFirst({
    where: { id: options.fileId, ownerId: options.ownerId },
    include: { artifact: { select: { kind: true } } },
  });
  if (!file) throw errors.notFound('file');
  return file;
}

export interface ListFilesOptions {
  ownerId: string;
  kind?: ArtifactKind;
  limit: number;
  after?: ListPosition;
  now: Date;
}

/** Ready, unexpired files, newest first, one keyset page at a time. */
export async function listReadyFiles(
  db: Db,
  o: ListFilesOptions,
): Promise<{ files: OwnedFile[]; nextCursor: string | null }> {
  const rows = await db.prisma.artifactFile.findMany({
    where: {
      ownerId: o.ownerId,
      status: 'ready',
      ...(o.kind ? { artifact: { kind: o.kind } } : {}),
      AND: [
        { OR: [{ expiresAt: null }, { expiresAt: { gt: o.now } }] },
        o.after
          ? { OR: [{ createdAt: { lt: o.after.createdAt } }, { createdAt: o.after.createdAt, id: { lt: o.after.id } }] }
          : {},
      ],
    },
    include: { artifact: { select: { kind: true } } },
    orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
    take: o.limit + 1,
  });
  const files = rows.slice(0, o.limit);
  const last = files.at(-1);
  return { files, nextCursor: rows.length > o.limit && last ? encodeCursor(last) : null };
}

/** The API shape of a file: a stable API download link, never a presigned URL (those expire). */
export function fileItem(file: OwnedFile) {
  return {
    id: file.id,
    artifactId: file.artifactId,
    kind: file.artifact.kind,
    filename: file.originalFilename,
    contentType: file.contentType,
    size: Number(file.sizeBytes),
    sha256: file.sha256,
    status: file.status,
    createdAt: file.createdAt.toISOString(),
    expiresAt: file.expiresAt?.toISOString() ?? null,
    downloadUrl: `/api/v1/files/${file.id}/download`,
  };
}
