import type { Db } from '@pulse/db';
import type { Logger } from '@pulse/logger';
import type { Mailer } from '@pulse/mail';
import { emailChartSeries, headlineFigures, renderEmailChart } from '@pulse/report-render';
import {
  type DeliveryRow,
  markNoticeSent,
  markSent,
  REPORT_LINK_TTL_DAYS,
  type ReportData,
  reportBounceTag,
  reportLink,
  unsubscribeLink,
  unsubscribeMailto,
} from '@pulse/reports';
import type { ReportKeys, ReportSettings } from '../config';
import type { RenderedReport, StoreResult } from '../storage/report-files';
import { chooseFallback, composeReportEmail, type ReportDelivery } from './email';

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
  settings: Pick<ReportSettings, 'attachmentMaxBytes' | 'publicBaseUrl' | 'unsubscribeMailbox'>;
  keys: ReportKeys;
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
  const { settings } = deps;
  // The chart comes from the same aggregates as the PDF's charts.
  const series = emailChartSeries(data);
  const email = {
    to: data.follower.email,
    followerName: data.follower.name,
    period: report.period,
    headline: headlineFigures(data),
    chart: series ? { png: renderEmailChart(series), metric: series.metric } : undefined,
    unsubscribeUrl: unsubscribeLink(data.follower.id, {
      keys: deps.keys.unsubscribe,
      publicBaseUrl: settings.publicBaseUrl,
      now: deps.now(),
    }),
    unsubscribeMailto: unsubscribeMailto(data.follower.id, {
      keys: deps.keys.unsubscribe,
      mailbox: settings.unsubscribeMailbox ?? deps.mailer.fromAddress,
      now: deps.now(),
    }),
    manageUrl: `${settings.publicBaseUrl}/#/subscriptions`,
    // A resend is a new message: its own key, so it is never taken for a duplicate of the first one.
    idempotencyKey: `report:${report.period}:${report.followerId}${delivery.resendCount > 0 ? `:resend-${delivery.resendCount}` : ''}`,
    bounceTag: reportBounceTag(delivery),
  };

  let delivered: ReportDelivery;
  if (stored.stored) delivered = linksFor(deps, report);
  else {
    delivered = chooseFallback(report.files, deps.settings.attachmentMaxBytes);
    if (delivered.kind === 'deferred') {
      // One notice per delivery, however many attempts it takes storage to come back.
      if (!delivery.emailSent) {
        await deps.mailer.send(composeReportEmail({ ...email, delivery: delivered }));
        await markNoticeSent(deps.db, delivery.id);
        deps.logger.warn(
          { event: 'report_files_deferred', bytes: report.files.reduce((n, f) => n + f.body.length, 0) },
          'notice sent; files will follow',
        );
      }
      throw new FilesDeferredError(stored.reason);
    }
  }

  const message = composeReportEmail({ ...email, delivery: delivered });
  await deps.mailer.send(message);
  await markSent(deps.db, delivery.id, {
    pdfFileId: stored.stored ? (stored.fileIds.pdf ?? null) : null,
    xlsxFileId: stored.stored ? (stored.fileIds.xlsx ?? null) : null,
    storageUploaded: stored.stored,
    linksValidUntil: delivered.kind === 'links' ? delivered.validUntil : null,
  });
  return { attachments: message.attachments?.length ?? 0 };
}

function linksFor(deps: SendReportDeps, report: RenderedReport): ReportDelivery {
  const now = deps.now();
  const options = { keys: deps.keys.reportLinks, publicBaseUrl: deps.settings.publicBaseUrl, now };
  const scope = { followerId: report.followerId, period: report.period };
  return {
    kind: 'links',
    // The link names the report (follower, period, format), never the file id: the API finds the file
    // through the delivery row, which markSent points at these stored files.
    links: report.files.map((f) => ({ kind: f.kind, url: reportLink({ ...scope, format: f.kind }, options) })),
    validUntil: new Date(now.getTime() + REPORT_LINK_TTL_DAYS * 86_400_000),
  };
}
