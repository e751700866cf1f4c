import { randomUUID } from 'node:crypto';
import type { ArtifactKind } from '@pulse/db';
import { registerFile } from '@pulse/files';
import { artifactObjectKey, stripDeceptiveChars } from '@pulse/storage';
import type { AppDeps } from '../deps';
import { fileExtension } from './filename';

export interface StoreFileInput {
  ownerId: string;
  kind: ArtifactKind;
  title: string;
  filename: string;
  contentType: string;
  body: Buffer;
}

/**
 * Bytes to S3 first, then the artifact + ready file rows. If the rows can't be written the object
 * is removed again, so a failure leaves neither an orphan object nor a row without bytes.
 */
export async function storeFile(deps: Pick<AppDeps, 'config' | 'db' | 'storage' | 'logger'>, input: StoreFileInput) {
  const artifactId = randomUUID();
  const fileId = randomUUID();
  const bucket = deps.config.s3.buckets.artifacts;
  const objectKey = artifactObjectKey(artifactId, fileId, fileExtension(input.filename));
  const put = await deps.storage.put(bucket, objectKey, input.body, { contentType: input.contentType });
  try {
    await registerFile(deps.db.prisma, {
      artifact: { id: artifactId, ownerId: input.ownerId, kind: input.kind, title: input.title },
      file: {
        id: fileId,
        bucket,
        objectKey,
        contentType: input.contentType,
        sizeBytes: put.size,
        sha256: put.sha256,
        originalFilename: stripDeceptiveChars(input.filename),
        status: 'ready',
      },
    });
  } catch (err) {
    await deps.storage.deleteQuietly(bucket, objectKey);
    throw err;
  }
  deps.logger.info({ event: 'file_created', fileId, artifactId, kind: input.kind, size: put.size }, 'file stored');
  return { fileId, artifactId, size: put.size, sha256: put.sha256 };
}
