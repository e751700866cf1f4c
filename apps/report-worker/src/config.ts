import { int, retentionDaysSettings, signingKeysConfig, smtpConfig, workerConfigShape, z } from '@pulse/config';

/** Everything report-worker reads from its environment beyond the shared concerns. */
export const reportSettings = z
  .object({
    // When and in which time zone each follower's report goes out is their subscription (@pulse/reports).
    // A slot missed while no replica ran is still sent if it is at most this old (0: only on time).
    REPORT_CATCH_UP_HOURS: int(72, 0, 24 * 31),
    // Where the email links point: ui-api's public address (it serves /r/{token}).
    PUBLIC_BASE_URL: z.url().default('http://127.0.0.1:8080'),
    // Longer than one report's render + upload + send; shorter than the consumer's retry span (see consumer.ts).
    REPORT_CLAIM_TIMEOUT_S: int(120, 10, 3600),
    // Email providers commonly refuse messages over 10-25 MB; base64 adds a third.
    REPORT_ATTACHMENT_MAX_BYTES: int(7 * 1024 * 1024, 0, 50 * 1024 * 1024),
    REPORT_RETENTION_DAYS: retentionDaysSettings.REPORT_RETENTION_DAYS,
    REPORT_CONCURRENCY: int(4, 1, 64),
    // The List-Unsubscribe mailto's address (default: MAIL_FROM's). Whatever arrives there must be handed to
    // `pnpm pulse unsubscribe-mail` (an MTA pipe or a mailbox poller); see the README.
    UNSUBSCRIBE_MAILBOX: z.email().optional(),
  })
  .transform((e) => ({
    catchUpMs: e.REPORT_CATCH_UP_HOURS * 3_600_000,
    publicBaseUrl: e.PUBLIC_BASE_URL.replace(/\/+$/, ''),
    claimTimeoutSec: e.REPORT_CLAIM_TIMEOUT_S,
    attachmentMaxBytes: e.REPORT_ATTACHMENT_MAX_BYTES,
    retentionDays: e.REPORT_RETENTION_DAYS,
    concurrency: e.REPORT_CONCURRENCY,
    unsubscribeMailbox: e.UNSUBSCRIBE_MAILBOX,
  }));

/**
 * The email links' keys, shared with ui-api (which verifies them): report links and one-click unsubscribe
 * links each have their own (a leaked report-link key can't unsubscribe anyone), with `_PREVIOUS` for rotation.
 */
export const reportWorkerKeys = signingKeysConfig({
  reportLinks: 'REPORT_LINK_SECRET',
  unsubscribe: 'UNSUBSCRIBE_SIGNING_SECRET',
});

export const reportWorkerConfigShape = {
  ...workerConfigShape(reportSettings),
  smtp: smtpConfig,
  keys: reportWorkerKeys,
};

export type ReportWorkerConfig = {
  [K in keyof typeof reportWorkerConfigShape]: z.output<(typeof reportWorkerConfigShape)[K]>;
};
export type ReportSettings = ReportWorkerConfig['app'];
export type ReportKeys = ReportWorkerConfig['keys'];
