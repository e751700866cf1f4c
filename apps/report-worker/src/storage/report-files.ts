import type { Db } from '@pulse/db';
import { registerFiles } from '@pulse/files';
import type { Logger } from '@pulse/logger';
import { contentDisposition, reportObjectKey, type Storage } from '@pulse/storage';

export const PDF_TYPE = 'application/pdf';
export const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

export type ReportFileKind = 'pdf' | 'xlsx';

/** The files of one report, in the formats the subscription asked for (PDF first). */
export interface RenderedReport {
  period: string;
  followerId: string;
  files: ReportFile[];
}

export interface ReportFile {
  kind: ReportFileKind;
  filename: string;
  contentType: string;
  body: Buffer;
}

export interface StoreReportDeps {
  db: Db;
  storage: Storage;
  logger: Logger;
  bucket: string;
  retentionDays: number;
  now?: () => Date;
}

/** The artifact_files id of each stored file, by kind (a PDF-only subscription has no xlsx). */
export type StoredFileIds = Partial<Record<ReportFileKind, string>>;

export type StoreResult = { stored: true; fileIds: StoredFileIds } | { stored: false; reason: string };

export function reportFile(period: string, kind: ReportFileKind, body: Buffer): ReportFile {
  return { kind, filename: `pulse-report-${period}.${kind}`, contentType: kind === 'pdf' ? PDF_TYPE : XLSX_TYPE, body };
}

/**
 * Uploads both files concurrently (the storage package retries Buffer puts with backoff) and records
 * them as one `report` artifact. Storage being down is an expected outcome, not an exception: the
 * caller then mails the files as attachments instead of links.
 */
export async function storeReport(deps: StoreReportDeps, report: RenderedReport): Promise<StoreResult> {
  const { storage, bucket, logger } = deps;
  const health = await storage.health([bucket]);
  if (!health.ok) return { stored: false, reason: `storage unhealthy: ${health.error ?? 'bucket unavailable'}` };

  const { files } = report;
  const uploads = await Promise.allSettled(
    files.map((f) =>
      storage.put(bucket, reportObjectKey(report.period, report.followerId, f.kind), f.body, {
        contentType: f.contentType,
        contentDisposition: contentDisposition(f.filename),
        metadata: { period: report.period, follower: report.followerId },
      }),
    ),
  );
  const failed = uploads.find((u): u is PromiseRejectedResult => u.status === 'rejected');
  if (failed) {
    const reason = failed.reason instanceof Error ? failed.reason.message : String(failed.reason);
    logger.warn(
      { event: 'report_upload_failed', period: report.period, followerId: report.followerId, error: reason },
      'report upload failed',
    );
    return { stored: false, reason: `upload failed: ${reason}` };
  }

  const sha = uploads.map((u) => (u.status === 'fulfilled' ? u.value.sha256 : null));
  const ids = await recordFiles(deps, report, files, sha);
  return { stored: true, fileIds: Object.fromEntries(files.map((f, i) => [f.kind, ids[i]!])) };
}

/** One artifact per (follower, period); the files are upserted on (bucket, key), so a rerun updates them in place. */
async function recordFiles(
  deps: StoreReportDeps,
  report: RenderedReport,
  files: ReportFile[],
  sha: (string | null)[],
): Promise<string[]> {
  const now = deps.now?.() ?? new Date();
  const expiresAt = new Date(now.getTime() + deps.retentionDays * 86_400_000);
  const keys = files.map((f) => reportObjectKey(report.period, report.followerId, f.kind));
  const { fileIds } = await deps.db.prisma.$transaction((tx) =>
    registerFiles(tx, {
      artifact: { ownerId: report.followerId, kind: 'report', title: `Report ${report.period}` },
      files: files.map((f, i) => ({
        bucket: deps.bucket,
        objectKey: keys[i]!,
        contentType: f.contentType,
        sizeBytes: f.body.length,
        sha256: sha[i] ?? null,
        originalFilename: f.filename,
        status: 'ready' as const,
        expiresAt,
      })),
    }),
  );
  return fileIds;
}
