import type { FileStatus, ArtifactKind, Prisma } from '@pulse/db';

export interface NewArtifact {
  /** Given when the caller built object keys from it before writing the row; generated otherwise. */
  id?: string;
  ownerId: string;
  kind: ArtifactKind;
  title: string;
}

export interface NewFile {
  id?: string;
  bucket: string;
  objectKey: string;
  contentType: string;
  sizeBytes: number | bigint;
  sha256?: string | null;
  originalFilename: string;
  status: Extract<FileStatus, 'pending' | 'ready'>;
  expiresAt?: Date | null;
}

/**
 * The one way artifact_files rows come to exist: an artifact with its files, in the caller's transaction
 * (or on the client). Files are upserted on (bucket, object_key) and join the artifact an earlier attempt
 * created for the same keys, so a redelivered job updates its rows in place and never duplicates them.
 * Returns the artifact id and the file ids, in the order of `files`.
 */
export async function registerFiles(
  tx: Prisma.TransactionClient,
  input: { artifact: NewArtifact; files: NewFile[] },
): Promise<{ artifactId: string; fileIds: string[] }> {
  const { artifact, files } = input;
  const existing = await tx.artifactFile.findFirst({
    where: { OR: files.map((f) => ({ bucket: f.bucket, objectKey: f.objectKey })) },
    select: { artifactId: true },
  });
  const artifactId =
    existing?.artifactId ??
    (
      await tx.artifact.create({
        data: { id: artifact.id, ownerId: artifact.ownerId, kind: artifact.kind, title: artifact.title },
        select: { id: true },
      })
    ).id;
  const fileIds: string[] = [];
  for (const f of files) {
    const fields = {
      contentType: f.contentType,
      sizeBytes: BigInt(f.sizeBytes),
      sha256: f.sha256 ?? null,
      originalFilename: f.originalFilename,
      status: f.status,
      expiresAt: f.expiresAt ?? null,
      deletedAt: null,
    };
    const row = await tx.artifactFile.upsert({
      where: { bucket_objectKey: { bucket: f.bucket, objectKey: f.objectKey } },
      create: { id: f.id, artifactId, ownerId: artifact.ownerId, bucket: f.bucket, objectKey: f.objectKey, ...fields },
      update: fields,
      select: { id: true },
    });
    fileIds.push(row.id);
  }
  return { artifactId, fileIds };
}

/** `registerFiles` for an artifact of one file. */
export async function registerFile(
  tx: Prisma.TransactionClient,
  input: { artifact: NewArtifact; file: NewFile },
): Promise<{ artifactId: string; fileId: string }> {
  const { artifactId, fileIds } = await registerFiles(tx, { artifact: input.artifact, files: [input.file] });
  return { artifactId, fileId: fileIds[0]! };
}
