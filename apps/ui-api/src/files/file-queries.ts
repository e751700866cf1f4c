import { type ArtifactFile, type ArtifactKind, type ChangeFeed, type Db, RowCache } from '@pulse/db';
import { errors } from '../http/errors';
import { encodeCursor, type ListPosition } from './cursor';

export type OwnedFile = ArtifactFile & { artifact: { kind: ArtifactKind } };

interface FileRow {
  id: string;
  artifact_id: string;
  owner_id: string;
  bucket: string;
  object_key: string;
  content_type: string;
  size_bytes: string;
  sha256: string | null;
  original_filename: string;
  status: ArtifactFile['status'];
  expires_at: Date | null;
  deleted_at: Date | null;
  created_at: Date;
  updated_at: Date;
  kind: ArtifactKind;
}

// Raw SQL rather than Prisma: this runs on every download (the hot path measured by bench:redirect).
const FIND_OWNED = `SELECT f.*, a.kind FROM artifact_files f JOIN artifacts a ON a.id = f.artifact_id
  WHERE f.id = $1 AND f.owner_id = $2`;

async function queryOwnedFile(db: Db, options: { fileId: string; ownerId: string }): Promise<OwnedFile | undefined> {
  const { rows } = await db.pool.query<FileRow>(FIND_OWNED, [options.fileId, options.ownerId]);
  const row = rows[0];
  if (!row) return undefined;
  return {
    id: row.id,
    artifactId: row.artifact_id,
    ownerId: row.owner_id,
    bucket: row.bucket,
    objectKey: row.object_key,
    contentType: row.content_type,
    sizeBytes: BigInt(row.size_bytes),
    sha256: row.sha256,
    originalFilename: row.original_filename,
    status: row.status,
    expiresAt: row.expires_at,
    deletedAt: row.deleted_at,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    artifact: { kind: row.kind },
  };
}

/** Ownership lives in the WHERE clause: someone else's file and no file are the same 404. */
export async function findOwnedFile(db: Db, options: { fileId: string; ownerId: string }): Promise<OwnedFile> {
  const file = await queryOwnedFile(db, options);
  if (!file) throw errors.notFound('file');
  return file;
}

/**
 * Files recently read for a download, by file and owner. Downloads are the hot path (bench:redirect):
 * a repeated download of the same file skips the database. The entry goes when the change feed hears
 * any update or delete of the row (deleted, expired, missing), so a 410 is never late by more than the
 * feed's delivery; expiry by time is checked on every request against `expiresAt`.
 */
export const createFileCache = (changes: ChangeFeed) =>
  new RowCache<OwnedFile>(changes, { ttlMs: 60_000, maxEntries: 10_000 });

export type FileCache = ReturnType<typeof createFileCache>;

/** `findOwnedFile` through the file cache: for handing files out, not for changing them. */
export async function findFileForDownload(
  deps: { db: Db; files: FileCache; now: () => Date },
  options: { fileId: string; ownerId: string },
): Promise<OwnedFile> {
  const file = await deps.files.read(`${options.fileId}:${options.ownerId}`, deps.now().getTime(), async () => {
    const found = await queryOwnedFile(deps.db, options);
    return found && { value: found, rows: [`artifact_files:${found.id}`] };
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
