import { parseReceiverList } from '@pulse/acquisitions';
import {
  bool,
  dbConfig,
  httpConfig,
  int,
  logConfig,
  natsConfig,
  nodeEnv,
  opsHttpConfig,
  quotaSettings,
  s3Config,
  signingKeysConfig,
  smtpConfig,
  z,
} from '@pulse/config';

const DAY = 86_400;

/** Everything ui-api reads from its environment beyond the shared concerns. */
export const uiApiSettings = z
  .object({
    NODE_ENV: z.string().optional(),
    // Dev flags: loadConfig refuses them unless NODE_ENV is development or test.
    DEBUG: bool(false),
    AUTH_DEV_ECHO: bool(false),
    SESSION_TTL_HOURS: int(24 * 7, 1, 24 * 90),
    OTP_TTL_MINUTES: int(10, 1, 60),
    OTP_MAX_ATTEMPTS: int(5, 1, 20),
    // Code requests: per (email, client) — what one person or one attacker gets for one address —
    // and a much higher email-wide cap, so strangers can't use up the owner's allowance.
    OTP_RATE_PER_EMAIL_CLIENT_PER_HOUR: int(5, 1, 1000),
    OTP_RATE_PER_EMAIL_PER_HOUR: int(50, 1, 10_000),
    OTP_RATE_PER_IP_PER_HOUR: int(30, 1, 10_000),
    // Codes of one email that may be live at once (one per client; see requestOtp).
    OTP_MAX_LIVE_CODES: int(3, 1, 20),
    // Wrong codes (verify) a client may send an hour, and all clients together, across every replica.
    OTP_VERIFY_FAILURES_PER_CLIENT_PER_HOUR: int(20, 1, 10_000),
    OTP_VERIFY_FAILURES_PER_HOUR: int(1000, 1, 1_000_000),
    EXPORT_MAX_RANGE_DAYS: int(366, 1, 3660),
    EXPORT_MAX_RUNNING_PER_USER: int(3, 1, 100),
    // Progress streams (SSE) one user may hold open per ui-api process: a tab each.
    EXPORT_EVENTS_MAX_PER_USER: int(5, 1, 100),
    UPLOAD_MAX_BYTES: int(100 * 1024 * 1024, 1, 5 * 1024 * 1024 * 1024),
    UPLOAD_ALLOWED_TYPES: z
      .string()
      .default(
        'application/pdf,text/csv,application/json,application/octet-stream,image/png,image/jpeg,application/zip',
      )
      .transform((s) =>
        s
          .split(',')
          .map((t) => t.trim())
          .filter(Boolean),
      ),
    DOWNLOAD_URL_MAX_EXPIRY_S: int(DAY, 1, 7 * DAY),
    ...quotaSettings,
    // Seeds the receivers registry on first start (ids = synthetic; `id=kiwisdr://host:port`,
    // `id=rtl_tcp://host:port`); afterwards the registry (admin API / page) is the only source of truth.
    ACQUISITION_RECEIVERS: z
      .string()
      .default('twente,kiwi-de,hackgreen,nl-utwente,dk-sdr,pl-szczecin,fr-f4kmn')
      .transform((s) =>
        s
          .split(',')
          .map((t) => t.trim())
          .filter(Boolean),
      ),
    OUTBOX_INTERVAL_MS: int(500, 50, 60_000),
    // auto: Secure when NODE_ENV=production. A browser never sends a Secure cookie back over plain
    // http, so a UI reached as http://<lan-host>:8080 needs 0 to stay signed in.
    SESSION_COOKIE_SECURE: z.enum(['auto', '1', '0', 'true', 'false']).default('auto'),
  })
  .superRefine((e, ctx) => {
    try {
      parseReceiverList(e.ACQUISITION_RECEIVERS);
    } catch (err) {
      ctx.addIssue({ code: 'custom', path: ['ACQUISITION_RECEIVERS'], message: (err as Error).message });
    }
  })
  .transform((e) => ({
    production: e.NODE_ENV === 'production',
    cookieSecure:
      e.SESSION_COOKIE_SECURE === 'auto'
        ? e.NODE_ENV === 'production'
        : ['1', 'true'].includes(e.SESSION_COOKIE_SECURE),
    debug: e.DEBUG,
    auth: {
      devEcho: e.AUTH_DEV_ECHO,
      sessionTtlMs: e.SESSION_TTL_HOURS * 3_600_000,
      otpTtlMs: e.OTP_TTL_MINUTES * 60_000,
      otpMaxAttempts: e.OTP_MAX_ATTEMPTS,
      otpPerEmailClientPerHour: e.OTP_RATE_PER_EMAIL_CLIENT_PER_HOUR,
      otpPerEmailPerHour: e.OTP_RATE_PER_EMAIL_PER_HOUR,
      otpPerIpPerHour: e.OTP_RATE_PER_IP_PER_HOUR,
      otpMaxLiveCodes: e.OTP_MAX_LIVE_CODES,
      verifyFailuresPerClientPerHour: e.OTP_VERIFY_FAILURES_PER_CLIENT_PER_HOUR,
      verifyFailuresPerHour: e.OTP_VERIFY_FAILURES_PER_HOUR,
    },
    exports: {
      maxRangeDays: e.EXPORT_MAX_RANGE_DAYS,
      maxRunningPerUser: e.EXPORT_MAX_RUNNING_PER_USER,
      maxEventStreamsPerUser: e.EXPORT_EVENTS_MAX_PER_USER,
    },
    uploads: {
      maxBytes: e.UPLOAD_MAX_BYTES,
      allowedTypes: e.UPLOAD_ALLOWED_TYPES,
      urlTtlSec: e.UPLOAD_URL_TTL_S,
      pendingGraceSec: e.UPLOAD_PENDING_GRACE_S,
    },
    quotas: {
      pendingUploads: e.UPLOAD_PENDING_MAX_PER_USER,
      pendingUploadBytes: e.UPLOAD_PENDING_MAX_BYTES_PER_USER,
      acquisitionBytes: e.ACQUISITION_MAX_BYTES_PER_USER,
    },
    downloadUrlMaxExpirySec: e.DOWNLOAD_URL_MAX_EXPIRY_S,
    acquisition: { seed: parseReceiverList(e.ACQUISITION_RECEIVERS) },
    outboxIntervalMs: e.OUTBOX_INTERVAL_MS,
  }));

/**
 * One key per purpose, each with `<NAME>_PREVIOUS` for rotation: report links (/r/{token}, minted by
 * report-worker with the same key), one-click unsubscribe links (/u/{token}, same) and the OTP hashes.
 */
export const uiApiKeys = signingKeysConfig({
  reportLinks: 'REPORT_LINK_SECRET',
  unsubscribe: 'UNSUBSCRIBE_SIGNING_SECRET',
  otp: 'OTP_HASH_SECRET',
});

export const uiApiConfigShape = {
  env: nodeEnv,
  log: logConfig,
  http: httpConfig,
  ops: opsHttpConfig,
  db: dbConfig,
  nats: natsConfig,
  s3: s3Config,
  smtp: smtpConfig,
  app: uiApiSettings,
  keys: uiApiKeys,
};

export type UiApiConfig = { [K in keyof typeof uiApiConfigShape]: z.output<(typeof uiApiConfigShape)[K]> };
