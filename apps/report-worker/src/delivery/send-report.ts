import type { Db } from '@pulse/db';
import type { Logger } from '@pulse/logger';
import type { Mailer } from '@pulse/mail';
import type { ReportSettings } from '../config';
import type { ReportData } from '../data/report-data';
import { type RenderedReport, reportFiles, type StoreResult } from '../storage/report-files';
import { type DeliveryRow, markNoticeSent, markSent } from './claim';
import { chooseFallback, composeReportEmail, type ReportDelivery } from './email';
import { REPORT_LINK_TTL_DAYS, reportLink } from '@pulse/reports';

/**
 * Storage is down and the files are too big to attach: the follower got a notice, and the bus retries
 * the message until storage is back and the files can follow as links.
 */
export class FilesDeferredError extends Error {
  constructor(reason: string) {
    super(`report files deferred (${reason})`);
    this.name = 'FilesDeferredError';
  }
}

export interface SendReportDeps {
  db: Db;
  mailer: Mailer;
  logger: Logger;
  settings: Pick<ReportSettings, 'attachmentMaxBytes' | 'linkSigningSecret' | 'publicBaseUrl'>;
  now: () => Date;
}

export interface SendReportInput {
  delivery: DeliveryRow;
  data: ReportData;
  report: RenderedReport;
  stored: StoreResult;
}

/**
 * Emails the report the best way storage allows — links, else attachments, else a notice — and marks
 * the delivery sent right after the SMTP server accepted it. Returns how many files were attached.
 */
export async function sendReport(deps: SendReportDeps, input: SendReportInput): Promise<{ attachments: number }> {
  const { delivery, data, report, stored } = input;
  const email = {
    to: data.follower.email,
    followerName: data.follower.name,
    period: report.period,
    deviceCount: data.devices.length,
    idempotencyKey: `report:${report.period}:${report.followerId}`,
  };

  let delivered: ReportDelivery;
  if (stored.stored) delivered = linksFor(deps, stored);
  else {
    delivered = chooseFallback(reportFiles(report), deps.settings.attachmentMaxBytes);
    if (delivered.kind === 'deferred') {
      // One notice per delivery, however many attempts it takes storage to come back.
      if (!delivery.emailSent) {
        await deps.mailer.send(composeReportEmail({ ...email, delivery: delivered }));
        await markNoticeSent(deps.db.pool, delivery.id);
        deps.logger.warn(
          { event: 'report_files_deferred', pdfBytes: report.pdf.length, xlsxBytes: report.xlsx.length },
          'notice sent; files will follow',
        );
      }
      throw new FilesDeferredError(stored.reason);
    }
  }

  const message = composeReportEmail({ ...email, delivery: delivered });
  await deps.mailer.send(message);
  await markSent(deps.db.pool, delivery.id, {
    pdfFileId: stored.stored ? stored.pdfFileId : null,
    xlsxFileId: stored.stored ? stored.xlsxFileId : null,
    storageUploaded: stored.stored,
  });
  return { attachments: message.attachments?.length ?? 0 };
}

function linksFor(deps: SendReportDeps, stored: { pdfFileId: string; xlsxFileId: string }): ReportDelivery {
  const now = deps.now();
  const link = { secret: deps.settings.linkSigningSecret, publicBaseUrl: deps.settings.publicBaseUrl, now };
  return {
    kind: 'links',
    pdfUrl: reportLink(stored.pdfFileId, link),
    xlsxUrl: reportLink(stored.xlsxFileId, link),
    validUntil: new Date(now.getTime() + REPORT_LINK_TTL_DAYS * 86_400_000),
  };
}
