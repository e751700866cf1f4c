import type { ArtifactFile } from '@pulse/db';
import type { PresignedUrl } from '@pulse/storage';
import type { Response } from 'express';
import type { AppDeps } from '../deps';
import { errors } from '../http/errors';
import { safeFilename } from './filename';

/** What a download needs from an artifact_files row (any feature's file: exports, reports, IQ…). */
export type DownloadableFile = Pick<
  ArtifactFile,
  'id' | 'bucket' | 'objectKey' | 'originalFilename' | 'contentType' | 'status' | 'expiresAt'
>;

type DownloadDeps = Pick<AppDeps, 'storage' | 'logger' | 'now'>;

/** Only ready, unexpired files can be handed out; the status says why not otherwise. */
export function assertDownloadable(file: DownloadableFile, now: Date): void {
  if (file.status === 'pending') throw errors.conflict('file_not_ready', 'the file is not ready yet');
  if (file.status === 'deleted') throw errors.gone('file_deleted', 'the file has been deleted');
  if (file.status === 'missing') throw errors.gone('file_missing', 'the file is no longer available');
  if (file.expiresAt && file.expiresAt.getTime() <= now.getTime()) {
    throw errors.gone('file_expired', 'the file has expired');
  }
}

/**
 * A short-lived GET URL for an owned file (ownership is the caller's SQL). The URL is a bearer
 * credential until it expires: it goes to the client only, never into a log line.
 */
export async function presignFile(
  deps: DownloadDeps,
  file: DownloadableFile,
  options: { expiresIn?: number } = {},
): Promise<PresignedUrl> {
  assertDownloadable(file, deps.now());
  const presigned = await deps.storage.presignGet(file.bucket, file.objectKey, {
    filename: safeFilename(file.originalFilename),
    contentType: file.contentType,
    expiresIn: options.expiresIn,
  });
  deps.logger.info(
    { event: 'file_presigned', fileId: file.id, expirySec: presigned.expiresIn },
    'download link issued',
  );
  return presigned;
}

/** The one way files leave the API: `302 Location: <presigned GET>`; bytes never pass through here. */
export async function redirectToFile(
  deps: DownloadDeps,
  res: Response,
  file: DownloadableFile,
  options: { expiresIn?: number } = {},
): Promise<void> {
  const presigned = await presignFile(deps, file, options);
  // The Location is a credential: no cache may keep the redirect. No body: Express's redirect would
  // negotiate a type and write the URL a second time into an HTML or text note no client reads.
  res.setHeader('Cache-Control', 'no-store');
  res.status(302).setHeader('Location', presigned.url).end();
}
