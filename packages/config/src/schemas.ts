import { isIP } from 'node:net';
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

/**
 * Retention periods, declared once: the worker that sets a file's `expires_at` and cleanup-worker, which
 * enforces it, read the same variable with the same default and bounds.
 */
export const retentionDaysSettings = {
  EXPORT_RETENTION_DAYS: int(7, 1, 3650),
  REPORT_RETENTION_DAYS: int(180, 1, 36_500),
  RAW_IQ_RETENTION_DAYS: int(30, 1, 36_500),
} as const;

/** The retention periods as one concern, for what applies them without being a worker (storage:setup). */
export const retentionDaysConfig = z.object(retentionDaysSettings).transform((e) => ({
  exports: e.EXPORT_RETENTION_DAYS,
  reports: e.REPORT_RETENTION_DAYS,
  rawIq: e.RAW_IQ_RETENTION_DAYS,
}));

export const SEVEN_DAYS_S = 7 * 24 * 3600;

const GIB = 1024 * 1024 * 1024;

/**
 * Per-user quotas on storage a user can make the system hold, and how long an unfinished upload may
 * stay: its presigned PUT lives UPLOAD_URL_TTL_S, and the pending row (with its object) expires
 * UPLOAD_PENDING_GRACE_S after that, for cleanup-worker to reclaim. Declared once; ui-api enforces them.
 */
export const quotaSettings = {
  UPLOAD_URL_TTL_S: int(900, 60, 12 * 3600),
  UPLOAD_PENDING_GRACE_S: int(3600, 0, SEVEN_DAYS_S),
  UPLOAD_PENDING_MAX_PER_USER: int(10, 1, 10_000),
  UPLOAD_PENDING_MAX_BYTES_PER_USER: int(GIB, 1, 1024 * GIB),
  // Raw IQ a user's acquisitions may keep stored at once (plus the next one's estimate); ~0.5 GB each.
  ACQUISITION_MAX_BYTES_PER_USER: int(5 * GIB, 1, 1024 * GIB),
} as const;

/** What to set for each kind of deployment: appended to every S3 configuration problem. */
export const S3_DEPLOYMENT_HELP =
  'AWS with a role (ECS task role, IRSA, instance profile, AWS_PROFILE/SSO): set S3_REGION and leave ' +
  'S3_ENDPOINT, S3_ACCESS_KEY and S3_SECRET_KEY unset; AWS with keys: S3_REGION, S3_ACCESS_KEY and ' +
  'S3_SECRET_KEY; MinIO, Ceph RGW or another S3 server: S3_ENDPOINT, S3_ACCESS_KEY and S3_SECRET_KEY ' +
  '(path-style addressing is the default when S3_ENDPOINT is set)';

const SSE_ALGORITHMS = ['AES256', 'aws:kms'] as const;
export type SseAlgorithm = (typeof SSE_ALGORITHMS)[number];

export const s3Config = z
  .object({
    STORAGE_BACKEND: z.enum(['s3', 'local']).default('s3'),
    LOCAL_STORAGE_DIR: z.string().default('./.data/storage'),
    // Unset: the SDK's endpoint for S3_REGION (AWS). Set: MinIO, RGW or another S3-compatible server.
    S3_ENDPOINT: url.optional(),
    S3_PUBLIC_ENDPOINT: url.optional(),
    // The SDK's own region variables are the fallback, so a task role's environment works unchanged.
    S3_REGION: z.string().min(1).optional(),
    AWS_REGION: z.string().optional(),
    AWS_DEFAULT_REGION: z.string().optional(),
    // Unset: the SDK's default credential chain (env incl. AWS_SESSION_TOKEN, profile, web identity,
    // ECS/container, instance metadata), refreshed before the credentials expire.
    S3_ACCESS_KEY: z.string().min(1).optional(),
    S3_SECRET_KEY: z.string().min(1).optional(),
    // Unset: path style with an S3_ENDPOINT (MinIO, RGW), virtual-hosted style on AWS.
    S3_FORCE_PATH_STYLE: z.enum(['1', '0', 'true', 'false', 'yes', 'no', '']).optional(),
    S3_CHECKSUM_MODE: z.enum(['when_required', 'when_supported']).default('when_required'),
    S3_SSE: z.enum(SSE_ALGORITHMS).optional(),
    S3_SSE_KMS_KEY_ID: z.string().min(1).optional(),
    // false in production: buckets, CORS and lifecycle rules are then set once by `pnpm storage:setup`
    // with admin credentials, and the apps need object permissions only.
    S3_MANAGE_BUCKETS: bool(true),
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
      if (Boolean(e.S3_ACCESS_KEY) !== Boolean(e.S3_SECRET_KEY)) {
        const missing = e.S3_ACCESS_KEY ? 'S3_SECRET_KEY' : 'S3_ACCESS_KEY';
        ctx.addIssue({
          code: 'custom',
          path: [missing],
          message: `is required with ${missing === 'S3_SECRET_KEY' ? 'S3_ACCESS_KEY' : 'S3_SECRET_KEY'} (set both, or neither to use the AWS credential chain). ${S3_DEPLOYMENT_HELP}`,
        });
      }
      if (e.S3_SSE_KMS_KEY_ID && e.S3_SSE !== 'aws:kms') {
        ctx.addIssue({ code: 'custom', path: ['S3_SSE_KMS_KEY_ID'], message: 'is only used with S3_SSE=aws:kms' });
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
    /** Undefined: the SDK resolves the AWS endpoint for `region`. */
    endpoint: e.S3_ENDPOINT,
    /** What browsers reach for presigned URLs; undefined: the same endpoint as `endpoint`. */
    publicEndpoint: e.S3_PUBLIC_ENDPOINT ?? e.S3_ENDPOINT,
    region: e.S3_REGION || e.AWS_REGION || e.AWS_DEFAULT_REGION || 'us-east-1',
    /** Undefined: the SDK's default credential provider chain. */
    credentials:
      e.S3_ACCESS_KEY && e.S3_SECRET_KEY
        ? { accessKeyId: e.S3_ACCESS_KEY, secretAccessKey: e.S3_SECRET_KEY }
        : undefined,
    forcePathStyle:
      e.S3_FORCE_PATH_STYLE === undefined || e.S3_FORCE_PATH_STYLE === ''
        ? e.S3_ENDPOINT !== undefined
        : ['1', 'true', 'yes'].includes(e.S3_FORCE_PATH_STYLE),
    checksumMode: e.S3_CHECKSUM_MODE,
    /** Server-side encryption requested on every write (PUT, multipart, presigned PUT). */
    sse: e.S3_SSE ? { algorithm: e.S3_SSE as SseAlgorithm, kmsKeyId: e.S3_SSE_KMS_KEY_ID } : undefined,
    manageBuckets: e.S3_MANAGE_BUCKETS,
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

/** Express's names for address ranges, accepted in TRUST_PROXY lists. */
const PROXY_RANGE_NAMES = ['loopback', 'linklocal', 'uniquelocal'];

const isAddressOrCidr = (entry: string) => {
  if (PROXY_RANGE_NAMES.includes(entry)) return true;
  const [address = '', bits, ...rest] = entry.split('/');
  const family = isIP(address);
  if (!family || rest.length) return false;
  return bits === undefined || (/^\d{1,3}$/.test(bits) && Number(bits) <= (family === 4 ? 32 : 128));
};

/**
 * Which proxies' X-Forwarded-For entries to believe (the client address drives the rate limits):
 * `0` none (the socket's peer is the client), `N` the N nearest hops (N proxies in front, each
 * appending the address it saw), or a list of the proxies' addresses/CIDRs (and `loopback`,
 * `linklocal`, `uniquelocal`). Never "all": the leftmost entry is whatever the client wrote.
 */
export const trustProxySetting = z
  .string()
  .trim()
  .default('0')
  .transform((v, ctx): false | number | string[] => {
    if (v === '' || v === '0' || v === 'false') return false;
    if (/^\d{1,2}$/.test(v)) return Number(v);
    const entries = v
      .split(',')
      .map((e) => e.trim())
      .filter(Boolean);
    const bad = entries.filter((e) => !isAddressOrCidr(e));
    if (bad.length || entries.length === 0) {
      ctx.addIssue({
        code: 'custom',
        message: `a hop count (e.g. 1) or a comma-separated list of proxy addresses/CIDRs; not ${bad.join(', ') || v}`,
      });
      return z.NEVER;
    }
    return entries;
  });

export const httpConfig = z
  .object({
    HTTP_HOST: z.string().default('127.0.0.1'),
    HTTP_PORT: int(8080, 0, 65535),
    PUBLIC_BASE_URL: url.default('http://127.0.0.1:8080'),
    TRUST_PROXY: trustProxySetting,
  })
  .transform((e) => ({
    host: e.HTTP_HOST,
    port: e.HTTP_PORT,
    publicBaseUrl: e.PUBLIC_BASE_URL.replace(/\/+$/, ''),
    trustProxy: e.TRUST_PROXY,
  }));

/** Every app's small HTTP side door, never published: /health, readiness with detail and /metrics. */
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
