// The local stack's environment: one place that lists every variable the apps read, with the
// defaults that make a bare machine work. The same names are used by docker-compose.yml.
import { existsSync, readFileSync } from 'node:fs';
import { parseEnv } from 'node:util';

export const PORTS = {
  ui: 8080,
  mailSmtp: 1025,
  mailHttp: 8025,
  /** ui-api's ops listener (/metrics, readiness and storage detail); the public port serves none of it. */
  uiOps: 9100,
  exportOps: 9101,
  reportOps: 9102,
  acquisitionOps: 9103,
  cleanupOps: 9104,
  /** The stack's own Ceph RGW (S3) and its monitor: clear of the tests' RGW (7480/3300). */
  s3: 9000,
  s3Mon: 3390,
};

/**
 * Reads a .env file (the .env.example format) with Node's own dotenv parser: quotes, inline
 * `# comments`. An empty value means unset, so the stack's default applies.
 */
export function parseDotEnv(file: string): Record<string, string> {
  if (!existsSync(file)) return {};
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(parseEnv(readFileSync(file, 'utf8')))) if (v) out[k] = v;
  return out;
}

export function stackEnv(overrides: Record<string, string | undefined>): Record<string, string> {
  const base: Record<string, string> = {
    NODE_ENV: 'development',
    LOG_LEVEL: 'info',
    DATABASE_URL: 'postgresql://postgres@127.0.0.1:5432/pulse',
    NATS_URL: 'nats://127.0.0.1:4222',
    NATS_STREAM: 'PULSE',
    NATS_SUBJECT_PREFIX: 'pulse',
    STORAGE_BACKEND: 's3',
    S3_REGION: 'us-east-1',
    S3_FORCE_PATH_STYLE: 'true',
    S3_BUCKET_EXPORTS: 'pulse-exports',
    S3_BUCKET_REPORTS: 'pulse-reports',
    S3_BUCKET_RAW_IQ: 'pulse-raw-iq',
    S3_BUCKET_ARTIFACTS: 'pulse-artifacts',
    SMTP_HOST: '127.0.0.1',
    SMTP_PORT: String(PORTS.mailSmtp),
    MAIL_FROM: 'Pulse <no-reply@pulse.local>',
    HTTP_HOST: '127.0.0.1',
    HTTP_PORT: String(PORTS.ui),
    PUBLIC_BASE_URL: `http://127.0.0.1:${PORTS.ui}`,
    LOCAL_STORAGE_PUBLIC_URL: `http://127.0.0.1:${PORTS.ui}`,
    LOCAL_STORAGE_DIR: '.stack/storage',
    // Dev-only secrets for a laptop stack; production sets its own (see .env.example).
    REPORT_LINK_SECRET: 'local-dev-report-link-secret-change-me',
    OTP_HASH_SECRET: 'local-dev-otp-hash-secret-change-me',
    UNSUBSCRIBE_SIGNING_SECRET: 'local-dev-unsubscribe-signing-secret-change-me',
    LOCAL_STORAGE_SIGNING_KEY: 'local-dev-storage-signing-key-change-me',
    AUTH_DEV_ECHO: '1',
    DEBUG: '1',
    SEED_DEMO: '1',
    SEED_TELEMETRY_ROWS: '1000000',
  };
  const merged = { ...base };
  for (const [k, v] of Object.entries(overrides)) if (v !== undefined && v !== '') merged[k] = v;
  return merged;
}
