import { type ConfigOf, int, retentionDaysSettings, workerConfigShape, z } from '@pulse/config';

/** What export-worker reads beyond the shared concerns. */
export const exportWorkerSettings = z
  .object({
    // Each running export holds one database connection (COPY or cursor) and one multipart upload.
    EXPORT_CONCURRENCY: int(2, 1, 32),
    // rows_done is written and a progress event emitted at most this often per export.
    EXPORT_PROGRESS_THROTTLE_MS: int(500, 50, 60_000),
    // Sets artifact_files.expires_at; cleanup-worker deletes the object and the row after it.
    EXPORT_RETENTION_DAYS: retentionDaysSettings.EXPORT_RETENTION_DAYS,
    // XLSX rows fetched per cursor round trip: bigger is faster, smaller keeps memory lower.
    EXPORT_XLSX_FETCH_ROWS: int(2000, 100, 50_000),
  })
  .transform((e) => ({
    concurrency: e.EXPORT_CONCURRENCY,
    progressThrottleMs: e.EXPORT_PROGRESS_THROTTLE_MS,
    retentionDays: e.EXPORT_RETENTION_DAYS,
    xlsxFetchRows: e.EXPORT_XLSX_FETCH_ROWS,
  }));

export const exportWorkerConfigShape = workerConfigShape(exportWorkerSettings);

export type ExportWorkerConfig = ConfigOf<typeof exportWorkerConfigShape>;
export type ExportSettings = ExportWorkerConfig['app'];
