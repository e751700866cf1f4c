// Owner of the artifacts and artifact_files tables: every row is created, moved between states and
// queried here, so "who changes this file row?" has one answer. Object keys come from @pulse/storage.
export { type ExpiredFilesQuery, type ExpiringFile, expireFiles, listExpiredFiles } from './expiry';
export {
  findOwnedFile,
  findOwnedFiles,
  type ListReadyFilesOptions,
  listReadyFiles,
  type OwnedFile,
} from './queries';
export { type NewArtifact, type NewFile, registerFile, registerFiles } from './register';
export { openSeenKeys, type SeenKeys, type UnseenFile } from './seen-keys';
export { deleteArtifact, markDeleted, markMissing, markReady } from './state';
export { type FileUsage, fileUsage } from './usage';
