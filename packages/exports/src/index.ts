// Owner of the export_jobs table: every job is created, moved between states and queried here, so
// "who changes this export row?" has one answer.
export { type CreateExportResult, createExportJob, type NewExport } from './create';
export { expireExportsOfFiles } from './expire';
export {
  EXPORT_FAILURE_REASONS,
  type ExportFailureKind,
  exportFailureKind,
  exportFailureReason,
  rootCause,
} from './failure';
export {
  countExportsByStatus,
  deleteExport,
  findOwnedExport,
  type ListExportsOptions,
  listExports,
  type OwnedExport,
} from './queries';
export {
  type ClaimedExport,
  type ClaimResult,
  type CompletedFile,
  type CompleteResult,
  claimJob,
  completeJob,
  markFailed,
  recordProgress,
  releaseForRetry,
  requeueForReplay,
} from './worker-state';
