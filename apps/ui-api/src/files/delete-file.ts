import { markDeleted } from '@pulse/files';
import type { AppDeps } from '../deps';
import { findOwnedFile } from './file-queries';

/**
 * Marks the row deleted first (so it is never served again), then removes the object. If the
 * delete fails, the row says `deleted` and cleanup-worker's reconciliation removes the object later.
 */
export async function deleteFile(
  deps: Pick<AppDeps, 'db' | 'storage' | 'logger' | 'now' | 'files'>,
  options: { fileId: string; ownerId: string },
): Promise<void> {
  const file = await findOwnedFile(deps.db, options);
  if (file.status === 'deleted') return;
  await markDeleted(deps.db, file.id, deps.now());
  // Other replicas hear the change from Postgres; this one stops serving it before answering.
  deps.files.forgetRow(`artifact_files:${file.id}`);
  const outcome = await deps.storage.deleteQuietly(file.bucket, file.objectKey);
  deps.logger.info({ event: 'file_deleted', fileId: file.id, outcome }, 'file deleted');
}
