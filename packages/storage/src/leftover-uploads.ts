import type { Logger } from '@pulse/logger';
import type { Storage } from './types';

/**
 * Aborts incomplete multipart uploads left on one key by earlier attempts. A failed attempt aborts its
 * own upload, but when S3 itself was down that abort fails too, and nobody retries it: once a later
 * attempt has written the object, whatever is still open on the key is garbage. Never throws (the
 * object is stored; cleanup-worker's stale-upload sweep is the backstop).
 */
export async function abortLeftoverUploads(
  storage: Pick<Storage, 'listMultipartUploads' | 'abortMultipartUpload'>,
  bucket: string,
  key: string,
  logger: Logger,
): Promise<number> {
  let aborted = 0;
  try {
    for await (const upload of storage.listMultipartUploads(bucket, key)) {
      if (upload.key !== key) continue;
      await storage.abortMultipartUpload(bucket, key, upload.uploadId);
      aborted++;
    }
    if (aborted) logger.info({ event: 's3_leftover_uploads_aborted', bucket, aborted }, 'aborted leftover uploads');
  } catch (err) {
    logger.warn({ event: 's3_leftover_uploads_error', bucket, err }, 'could not abort leftover uploads');
  }
  return aborted;
}
