// Where the real services for tests live. Defaults match the dev/CI machines; env overrides them.
export const PG_ADMIN_URL = process.env.TEST_PG_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';
export const NATS_URL = process.env.TEST_NATS_URL ?? 'nats://127.0.0.1:4222';

/** A name no other run (or parallel test file) uses: for databases, streams, buckets. */
export function uniqueName(prefix: string): string {
  const rand = Math.random().toString(36).slice(2, 8);
  return `${prefix}_${Date.now().toString(36)}_${process.pid}_${rand}`.toLowerCase();
}

/** S3 env for tests: what global-setup exported after starting RGW. */
export function s3TestEnv(): Record<string, string> {
  const need = ['S3_ENDPOINT', 'S3_ACCESS_KEY', 'S3_SECRET_KEY'];
  for (const k of need) {
    if (!process.env[k]) throw new Error(`${k} is not set: the jest global setup starts RGW and exports it`);
  }
  return {
    STORAGE_BACKEND: 's3',
    S3_ENDPOINT: process.env.S3_ENDPOINT!,
    S3_ACCESS_KEY: process.env.S3_ACCESS_KEY!,
    S3_SECRET_KEY: process.env.S3_SECRET_KEY!,
    S3_REGION: process.env.S3_REGION ?? 'us-east-1',
    S3_FORCE_PATH_STYLE: 'true',
  };
}
