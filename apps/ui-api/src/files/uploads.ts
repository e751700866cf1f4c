import { randomUUID } from 'node:crypto';
import { lockedTransaction } from '@pulse/db';
import { fileUsage, markReady, registerFile } from '@pulse/files';
import { artifactObjectKey, stripDeceptiveChars, uploadObjectKey } from '@pulse/storage';
import type { AppDeps } from '../deps';
import { errors } from '../http/errors';
import { findOwnedFile } from './file-queries';
import { fileExtension, safeFilename } from './filename';

type UploadDeps = Pick<AppDeps, 'config' | 'db' | 'storage' | 'logger' | 'now'>;

export interface UploadRequest {
  ownerId: string;
  filename: string;
  contentType: string;
  size: number;
}

/**
 * A pending file row plus a presigned PUT bound to the declared type and length: the browser sends
 * the bytes straight to S3, and the row is only listed after `completeUpload` has seen the object.
 * Unfinished uploads count against the user's quotas until they complete or expire (URL lifetime plus
 * a grace period; cleanup-worker then removes row and object).
 */
export async function createUpload(deps: UploadDeps, req: UploadRequest) {
  const { uploads } = deps.config.app;
  if (req.size > uploads.maxBytes) {
    throw errors.payloadTooLarge(`files may be at most ${uploads.maxBytes} bytes`);
  }
  const baseType = req.contentType.split(';')[0]!.trim().toLowerCase();
  if (!uploads.allowedTypes.includes(baseType)) {
    throw errors.unsupportedMediaType(`content type ${baseType} is not accepted`);
  }
  const artifactId = randomUUID();
  const fileId = randomUUID();
  const bucket = deps.config.s3.buckets.artifacts;
  // The URL points at a staging key; completion copies the object to its final key (see completeUpload).
  const objectKey = uploadObjectKey(artifactId, fileId, fileExtension(safeFilename(req.filename)));
  const now = deps.now();
  const { quotas } = deps.config.app;
  // One user's uploads start one at a time (on every replica): parallel requests can't all slip under the quota.
  await lockedTransaction(deps.db, `quota:pending-uploads:${req.ownerId}`, async (tx) => {
    const pending = await fileUsage(tx, { ownerId: req.ownerId, kind: 'upload', pendingOnly: true, now });
    if (pending.count + 1 > quotas.pendingUploads) {
      throw errors.quotaExceeded(
        `you have ${pending.count} unfinished uploads (at most ${quotas.pendingUploads}); finish or cancel one, or wait until they expire`,
      );
    }
    if (pending.bytes + req.size > quotas.pendingUploadBytes) {
      throw errors.quotaExceeded(
        `unfinished uploads may hold at most ${quotas.pendingUploadBytes} bytes; ${pending.bytes} are in progress`,
      );
    }
    await registerFile(tx, {
      artifact: { id: artifactId, ownerId: req.ownerId, kind: 'upload', title: safeFilename(req.filename) },
      file: {
        id: fileId,
        bucket,
        objectKey,
        contentType: req.contentType,
        sizeBytes: req.size,
        // Path parts are harmless in a row (safeFilename handles them on the way out); controls and bidi
        // overrides are not kept at all, so no reader of the row can be fooled by them.
        originalFilename: stripDeceptiveChars(req.filename),
        status: 'pending',
        expiresAt: new Date(now.getTime() + (uploads.urlTtlSec + uploads.pendingGraceSec) * 1000),
      },
    });
  });
  const presigned = await deps.storage.presignPut(bucket, objectKey, {
    contentType: req.contentType,
    contentLength: req.size,
    expiresIn: uploads.urlTtlSec,
  });
  deps.logger.info(
    { event: 'upload_presigned', fileId, size: req.size, expirySec: presigned.expiresIn },
    'upload started',
  );
  return {
    fileId,
    uploadUrl: presigned.url,
    method: 'PUT' as const,
    headers: presigned.headers ?? { 'content-type': req.contentType },
    expiresIn: presigned.expiresIn,
  };
}

/**
 * Lists the file once the object really exists with the declared size (HEAD, not the client's word).
 * The presigned PUT stays valid for its whole lifetime, so the object is copied (server-side) from the
 * staging key to its final key, which no URL can write: the bytes of a completed file can't change
 * under its record. The copy's own size is what is checked and recorded.
 */
export async function completeUpload(deps: UploadDeps, options: { fileId: string; ownerId: string }) {
  const file = await findOwnedFile(deps.db, options);
  if (file.status === 'ready') return file;
  if (file.status !== 'pending') throw errors.gone('file_deleted', 'the upload was cancelled or removed');
  if (file.expiresAt && file.expiresAt.getTime() <= deps.now().getTime()) {
    throw errors.gone('upload_expired', 'the upload was not completed in time; start it again');
  }
  const head = await deps.storage.head(file.bucket, file.objectKey);
  if (!head) {
    // A concurrent completion may have moved the object out of its staging key a moment ago.
    const now = await findOwnedFile(deps.db, options);
    if (now.status === 'ready') return now;
    throw errors.conflict('upload_missing', 'the object has not been uploaded yet');
  }
  if (BigInt(head.size) !== file.sizeBytes) {
    throw errors.badRequest('size_mismatch', `uploaded ${head.size} bytes, declared ${file.sizeBytes}`);
  }
  const finalKey = artifactObjectKey(file.artifactId, file.id, fileExtension(file.objectKey));
  const copied = await deps.storage.copy(file.bucket, file.objectKey, finalKey);
  if (BigInt(copied.size) !== file.sizeBytes) {
    // Replaced between the HEAD and the copy (the signed length makes this all but impossible).
    await deps.storage.deleteQuietly(file.bucket, finalKey);
    throw errors.badRequest('size_mismatch', `uploaded ${copied.size} bytes, declared ${file.sizeBytes}`);
  }
  const updated = await markReady(deps.db, file.id, { objectKey: finalKey, now: deps.now() });
  // The staging copy has served its purpose (and a late PUT to it changes nothing now).
  await deps.storage.deleteQuietly(file.bucket, file.objectKey);
  // A concurrent completion got there first: answer with what it left.
  if (!updated) return findOwnedFile(deps.db, options);
  deps.logger.info(
    { event: 'file_created', fileId: file.id, artifactId: file.artifactId, kind: 'upload', size: head.size },
    'upload completed',
  );
  return updated;
}
