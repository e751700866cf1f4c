import { z } from 'zod';

// Env values are strings; these helpers turn them into typed values with clear messages.
export const bool = (fallback: boolean) =>
  z
    .enum(['1', '0', 'true', 'false', 'yes', 'no', ''])
    .optional()
    .transform((v) => (v === undefined || v === '' ? fallback : ['1', 'true', 'yes'].includes(v)));
export const int = (fallback: number, min = 0, max = Number.MAX_SAFE_INTEGER) =>
  z.coerce.number().int().min(min).max(max).default(fallback);
const url = z.url();

export const nodeEnv = z.object({
  NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
});

export const logConfig = z
  .object({
    LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    LOG_PRETTY: bool(false),
    NODE_ENV: z.string().optional(),
  })
  .transform((e) => ({ level: e.LOG_LEVEL, pretty: e.LOG_PRETTY && e.NODE_ENV !== 'production' }));

export const dbConfig = z
  .object({
    DATABASE_URL: url,
    DATABASE_POOL_MAX: int(10, 1, 200),
  })
  .transform((e) => ({ url: e.DATABASE_URL, poolMax: e.DATABASE_POOL_MAX }));

export const natsConfig = z
  .object({
    NATS_URL: z.string().min(1).default('nats://127.0.0.1:4222'),
    NATS_STREAM: z
      .string()
      .regex(/^[A-Za-z0-9_-]+$/, 'letters, digits, _ and - only')
      .default('PULSE'),
    NATS_SUBJECT_PREFIX: z
      .string()
      .regex(/^[a-z0-9_-]+$/, 'lowercase letters, digits, _ and - only')
      .default('pulse'),
    NATS_MAX_DELIVER: int(5, 1, 100),
    NATS_ACK_WAIT_MS: int(30_000, 1_000, 3_600_000),
  })
  .transform((e) => ({
    url: e.NATS_URL,
    stream: e.NATS_STREAM,
    subjectPrefix: e.NATS_SUBJECT_PREFIX,
    maxDeliver: e.NATS_MAX_DELIVER,
    ackWaitMs: e.NATS_ACK_WAIT_MS,
  }));

export const SEVEN_DAYS_S = 7 * 24 * 3600;

export const s3Config = z
  .object({
    STORAGE_BACKEND: z.enum(['s3', 'local']).default('s3'),
    LOCAL_STORAGE_DIR: z.string().default('./.data/storage'),
    S3_ENDPOINT: url.optional(),
    S3_PUBLIC_ENDPOINT: url.optional(),
    S3_REGION: z.string().min(1).default('us-east-1'),
    S3_ACCESS_KEY: z.string().min(1).optional(),
    S3_SECRET_KEY: z.string().min(1).optional(),
    S3_FORCE_PATH_STYLE: bool(true),
    S3_CHECKSUM_MODE: z.enum(['when_required', 'when_supported']).default('when_required'),
    S3_BUCKET_EXPORTS: z.string().min(3).default('pulse-exports'),
    S3_BUCKET_REPORTS: z.string().min(3).default('pulse-reports'),
    S3_BUCKET_RAW_IQ: z.string().min(3).default('pulse-raw-iq'),
    S3_BUCKET_ARTIFACTS: z.string().min(3).default('pulse-artifacts'),
    S3_PRESIGN_EXPIRY_S: int(3600, 1, SEVEN_DAYS_S),
    S3_RETRY_ATTEMPTS: int(4, 1, 20),
    S3_RETRY_BASE_MS: int(200, 1, 60_000),
    S3_PART_SIZE_MB: int(8, 5, 512),
    S3_QUEUE_SIZE: int(4, 1, 64),
    S3_HEALTH_TIMEOUT_MS: int(2000, 100, 60_000),
    // Signs local-backend download URLs; required only when STORAGE_BACKEND=local.
    LOCAL_STORAGE_SIGNING_KEY: z.string().min(16).optional(),
    LOCAL_STORAGE_PUBLIC_URL: url.default('http://127.0.0.1:8080'),
    ALERT_WEBHOOK_URL: url.optional(),
  })
  .superRefine((e, ctx) => {
    if (e.STORAGE_BACKEND === 's3') {
      for (const k of ['S3_ENDPOINT', 'S3_ACCESS_KEY', 'S3_SECRET_KEY'] as const) {
        if (!e[k]) ctx.addIssue({ code: 'custom', path: [k], message: 'is required when STORAGE_BACKEND=s3' });
      }
    } else if (!e.LOCAL_STORAGE_SIGNING_KEY) {
      ctx.addIssue({
        code: 'custom',
        path: ['LOCAL_STORAGE_SIGNING_KEY'],
        message: 'is required (16+ chars) when STORAGE_BACKEND=local',
      });
    }
  })
  .transform((e) => ({
    backend: e.STORAGE_BACKEND,
    localDir: e.LOCAL_STORAGE_DIR,
    localSigningKey: e.LOCAL_STORAGE_SIGNING_KEY ?? '',
    localPublicUrl: e.LOCAL_STORAGE_PUBLIC_URL,
    endpoint: e.S3_ENDPOINT ?? '',
    publicEndpoint: e.S3_PUBLIC_ENDPOINT ?? e.S3_ENDPOINT ?? '',
    region: e.S3_REGION,
    accessKeyId: e.S3_ACCESS_KEY ?? '',
    secretAccessKey: e.S3_SECRET_KEY ?? '',
    forcePathStyle: e.S3_FORCE_PATH_STYLE,
    checksumMode: e.S3_CHECKSUM_MODE,
    buckets: {
      exports: e.S3_BUCKET_EXPORTS,
      reports: e.S3_BUCKET_REPORTS,
      rawIq: e.S3_BUCKET_RAW_IQ,
      artifacts: e.S3_BUCKET_ARTIFACTS,
    },
    presignExpirySec: e.S3_PRESIGN_EXPIRY_S,
    retry: { attempts: e.S3_RETRY_ATTEMPTS, baseMs: e.S3_RETRY_BASE_MS },
    multipart: { partSizeBytes: e.S3_PART_SIZE_MB * 1024 * 1024, queueSize: e.S3_QUEUE_SIZE },
    healthTimeoutMs: e.S3_HEALTH_TIMEOUT_MS,
    alertWebhookUrl: e.ALERT_WEBHOOK_URL,
  }));

export const smtpConfig = z
  .object({
    SMTP_HOST: z.string().min(1).default('127.0.0.1'),
    SMTP_PORT: int(1025, 1, 65535),
    SMTP_SECURE: bool(false),
    SMTP_USER: z.string().optional(),
    SMTP_PASSWORD: z.string().optional(),
    MAIL_FROM: z.string().min(3).default('Pulse <no-reply@pulse.local>'),
  })
  .transform((e) => ({
    host: e.SMTP_HOST,
    port: e.SMTP_PORT,
    secure: e.SMTP_SECURE,
    auth: e.SMTP_USER ? { user: e.SMTP_USER, pass: e.SMTP_PASSWORD ?? '' } : undefined,
    from: e.MAIL_FROM,
  }));

export const httpConfig = z
  .object({
    HTTP_HOST: z.string().default('127.0.0.1'),
    HTTP_PORT: int(8080, 0, 65535),
    PUBLIC_BASE_URL: url.default('http://127.0.0.1:8080'),
    TRUST_PROXY: bool(false),
  })
  .transform((e) => ({
    host: e.HTTP_HOST,
    port: e.HTTP_PORT,
    publicBaseUrl: e.PUBLIC_BASE_URL.replace(/\/+$/, ''),
    trustProxy: e.TRUST_PROXY,
  }));

/** A worker's small HTTP side door: /health and /metrics for orchestrators and Prometheus. */
export const opsHttpConfig = z
  .object({ OPS_HTTP_HOST: z.string().default('127.0.0.1'), OPS_HTTP_PORT: int(0, 0, 65535) })
  .transform((e) => ({ host: e.OPS_HTTP_HOST, port: e.OPS_HTTP_PORT }));

export type LogConfig = z.output<typeof logConfig>;
export type DbConfig = z.output<typeof dbConfig>;
export type NatsConfig = z.output<typeof natsConfig>;
export type S3Config = z.output<typeof s3Config>;
export type SmtpConfig = z.output<typeof smtpConfig>;
export type HttpConfig = z.output<typeof httpConfig>;
export type OpsHttpConfig = z.output<typeof opsHttpConfig>;

/** The concerns every worker reads (logs, Postgres, NATS, S3, its ops port), plus its own settings. */
export function workerConfigShape<A extends z.ZodType>(app: A) {
  return { env: nodeEnv, log: logConfig, db: dbConfig, nats: natsConfig, s3: s3Config, ops: opsHttpConfig, app };
}
