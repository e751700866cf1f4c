import type { Db } from '@pulse/db';
import type { Logger } from '@pulse/logger';
import { MailRejectedError, type Mailer } from '@pulse/mail';
import { renderPdf, renderXlsx } from '@pulse/report-render';
import {
  claimDelivery,
  type DeliveryKey,
  getSubscription,
  isInactive,
  loadReportData,
  markBounced,
  markFailed,
  markSkipped,
  type ReportData,
  type ReportFormats,
} from '@pulse/reports';
import type { Storage } from '@pulse/storage';
import type { ReportKeys, ReportSettings } from './config';
import { sendReport } from './delivery/send-report';
import { type ReportFile, reportFile, storeReport } from './storage/report-files';

export interface ReportHandlerDeps {
  db: Db;
  storage: Storage;
  mailer: Mailer;
  logger: Logger;
  settings: Pick<
    ReportSettings,
    'claimTimeoutSec' | 'attachmentMaxBytes' | 'retentionDays' | 'publicBaseUrl' | 'unsubscribeMailbox'
  >;
  keys: ReportKeys;
  bucket: string;
  now?: () => Date;
}

/** Another worker holds a live claim on this delivery: retry later (the bus naks with a delay). */
export class DeliveryBusyError extends Error {
  constructor(key: DeliveryKey) {
    super(`report ${key.period} for ${key.followerId} is being produced by another worker`);
    this.name = 'DeliveryBusyError';
  }
}

export type ReportOutcome = 'sent' | 'already_sent' | 'skipped' | 'bounced';

/** Optional bus hooks: keep the message alive during long work. */
export interface HandlerContext {
  working?: () => void;
}

const since = (t: number) => Math.round(performance.now() - t);

/** The files the subscription asked for, rendered concurrently; PDF first. */
export async function renderReportFiles(data: ReportData, formats: ReportFormats): Promise<ReportFile[]> {
  const [pdf, xlsx] = await Promise.all([
    formats === 'xlsx' ? null : renderPdf(data),
    formats === 'pdf' ? null : renderXlsx(data),
  ]);
  return [
    ...(pdf ? [reportFile(data.period, 'pdf', pdf)] : []),
    ...(xlsx ? [reportFile(data.period, 'xlsx', xlsx)] : []),
  ];
}

/**
 * One follower's report for one period, sent at most once: claim the delivery row, render, store,
 * email, mark sent. Redeliveries and duplicate triggers find the row `sent` and only acknowledge.
 */
export async function handleReportRequested(
  deps: ReportHandlerDeps,
  key: DeliveryKey,
  ctx: HandlerContext = {},
): Promise<ReportOutcome> {
  const { db, logger, settings } = deps;
  const now = deps.now ?? (() => new Date());
  const log = logger.child({ period: key.period, followerId: key.followerId });

  const claim = await claimDelivery(db, key, settings.claimTimeoutSec);
  if (claim.outcome === 'sent') {
    log.info({ event: 'report_skipped', reason: 'already_sent' }, 'report already sent');
    return 'already_sent';
  }
  if (claim.outcome === 'busy') throw new DeliveryBusyError(key);
  const { delivery } = claim;

  try {
    const started = performance.now();
    // Read when the report is produced, not when it was requested: an unsubscribe in between stops it.
    const subscription = await getSubscription(db, key.followerId);
    if (isInactive(subscription)) {
      const reason = subscription.unsubscribedAt ? 'unsubscribed' : 'paused';
      await markSkipped(db, delivery.id, reason);
      log.info({ event: 'report_skipped', reason }, 'subscription inactive; nothing sent');
      return 'skipped';
    }
    const data = await loadReportData(db.pool, {
      ...key,
      timeZone: subscription.timeZone,
      deviceIds: subscription.deviceIds,
      now: now(),
    });
    const queryMs = since(started);

    const renderStart = performance.now();
    const files = await renderReportFiles(data, subscription.formats);
    const renderMs = since(renderStart);
    ctx.working?.();

    const storeStart = performance.now();
    const report = { ...key, files };
    const stored = await storeReport(
      { db, storage: deps.storage, logger: log, bucket: deps.bucket, retentionDays: settings.retentionDays, now },
      report,
    );
    const storeMs = since(storeStart);
    ctx.working?.();

    const sendStart = performance.now();
    const { attachments } = await sendReport(
      { db, mailer: deps.mailer, logger: log, settings, keys: deps.keys, now },
      { delivery, data, report, stored },
    );

    log.info(
      {
        event: 'report_sent',
        attempt: delivery.attempts,
        devices: data.devices.length,
        formats: subscription.formats,
        pdfBytes: files.find((f) => f.kind === 'pdf')?.body.length ?? 0,
        xlsxBytes: files.find((f) => f.kind === 'xlsx')?.body.length ?? 0,
        resend: delivery.resendCount > 0,
        storageUploaded: stored.stored,
        attachments,
        queryMs,
        renderMs,
        storeMs,
        sendMs: since(sendStart),
        durationMs: since(started),
      },
      'report sent',
    );
    if (!stored.stored)
      log.warn({ event: 'report_storage_fallback', reason: stored.reason }, 'report mailed without storage');
    return 'sent';
  } catch (err) {
    if (err instanceof MailRejectedError) {
      // Retrying cannot change the relay's answer: the delivery shows it, an administrator may resend.
      await markBounced(db, delivery.id, err.response);
      log.warn({ event: 'report_bounced', responseCode: err.responseCode }, 'recipient refused; not retried');
      return 'bounced';
    }
    const message = err instanceof Error ? err.message : String(err);
    await markFailed(db, delivery.id, message).catch((markErr: unknown) =>
      log.error({ event: 'report_mark_failed_error', err: markErr }, 'could not record the failure'),
    );
    log.error({ event: 'report_failed', attempt: delivery.attempts, error: message }, 'report failed');
    throw err;
  }
}
