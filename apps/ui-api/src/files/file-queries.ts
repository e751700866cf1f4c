import { type ArtifactKind, type ChangeFeed, type Db, RowCache } from '@pulse/db';
import { findOwnedFile as queryOwnedFile, listReadyFiles as queryReadyFiles, type OwnedFile } from '@pulse/files';
import { errors } from '../http/errors';
import { encodeCursor, type ListPosition } from './cursor';
import { safeFilename } from './filename';

export type { OwnedFile };

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
  const { files, more } = await queryReadyFiles(db, o);
  const last = files.at(-1);
  return { files, nextCursor: more && last ? encodeCursor(last) : null };
}

/** The API shape of a file: a stable API download link, never a presigned URL (those expire). */
export function fileItem(file: OwnedFile) {
  return {
    id: file.id,
    artifactId: file.artifactId,
    kind: file.artifact.kind,
    filename: safeFilename(file.originalFilename),
    contentType: file.contentType,
    size: Number(file.sizeBytes),
    sha256: file.sha256,
    status: file.status,
    createdAt: file.createdAt.toISOString(),
    expiresAt: file.expiresAt?.toISOString() ?? null,
    downloadUrl: `/api/v1/files/${file.id}/download`,
  };
}
