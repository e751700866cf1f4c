import { exportObjectKey } from '@pulse/storage';

export type ExportFormat = 'csv' | 'ndjson' | 'xlsx';

interface FormatInfo {
  extension: string;
  contentType: string;
}

export const FORMATS: Record<ExportFormat, FormatInfo> = {
  csv: { extension: 'csv', contentType: 'text/csv; charset=utf-8' },
  ndjson: { extension: 'ndjson', contentType: 'application/x-ndjson' },
  xlsx: { extension: 'xlsx', contentType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet' },
};

/** Deterministic, so a redelivered job overwrites its own object instead of leaving a second one. */
export const exportKey = (exportId: string, format: ExportFormat) =>
  exportObjectKey(exportId, FORMATS[format].extension);

const day = (d: Date) => d.toISOString().slice(0, 10);

/** What the browser saves the download as, e.g. `telemetry_2026-10-01_2026-11-01.csv`. */
export const exportFilename = (job: { format: ExportFormat; from: Date; to: Date }) =>
  `telemetry_${day(job.from)}_${day(job.to)}.${FORMATS[job.format].extension}`;
