import { int, smtpConfig, workerConfigShape, z } from '@pulse/config';
import { Cron } from 'croner';

function isTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

function isCron(pattern: string): boolean {
  try {
    new Cron(pattern, { paused: true }).stop();
    return true;
  } catch {
    return false;
  }
}

/** Everything report-worker reads from its environment beyond the shared concerns. */
export const reportSettings = z
  .object({
    // 02:00 on the 1st: the month just ended is complete, and the hour avoids midnight batch jobs.
    REPORT_CRON: z.string().default('0 2 1 * *').refine(isCron, 'is not a valid cron pattern'),
    REPORT_TZ: z.string().default('UTC').refine(isTimeZone, 'is not an IANA time zone'),
    // A slot missed while no replica ran is fired at startup if it is at most this old (0: never).
    REPORT_CATCH_UP_HOURS: int(72, 0, 24 * 27),
    LINK_SIGNING_SECRET: z.string().min(16),
    // Where the email links point: ui-api's public address (it serves /r/{token}).
    PUBLIC_BASE_URL: z.url().default('http://127.0.0.1:8080'),
    // Longer than one report's render + upload + send; shorter than the consumer's retry span (see consume-reports.ts).
    REPORT_CLAIM_TIMEOUT_S: int(120, 10, 3600),
    // Email providers commonly refuse messages over 10-25 MB; base64 adds a third.
    REPORT_ATTACHMENT_MAX_BYTES: int(7 * 1024 * 1024, 0, 50 * 1024 * 1024),
    REPORT_RETENTION_DAYS: int(180, 1, 3650),
    REPORT_CONCURRENCY: int(4, 1, 64),
  })
  .transform((e) => ({
    cron: e.REPORT_CRON,
    timeZone: e.REPORT_TZ,
    catchUpMs: e.REPORT_CATCH_UP_HOURS * 3_600_000,
    linkSigningSecret: e.LINK_SIGNING_SECRET,
    publicBaseUrl: e.PUBLIC_BASE_URL.replace(/\/+$/, ''),
    claimTimeoutSec: e.REPORT_CLAIM_TIMEOUT_S,
    attachmentMaxBytes: e.REPORT_ATTACHMENT_MAX_BYTES,
    retentionDays: e.REPORT_RETENTION_DAYS,
    concurrency: e.REPORT_CONCURRENCY,
  }));

export const reportWorkerConfigShape = { ...workerConfigShape(reportSettings), smtp: smtpConfig };

export type ReportWorkerConfig = {
  [K in keyof typeof reportWorkerConfigShape]: z.output<(typeof reportWorkerConfigShape)[K]>;
};
export type ReportSettings = ReportWorkerConfig['app'];
