import { randomBytes } from 'node:crypto';
import { type Bus, connectBus } from '@pulse/bus';
import { loadConfig, natsConfig, s3Config } from '@pulse/config';
import { createLogger } from '@pulse/logger';
import { createStorage, type Storage } from '@pulse/storage';
import {
  createTestDatabase,
  LogCapture,
  NATS_URL,
  s3TestEnv,
  type SmtpCapture,
  startSmtpCapture,
  type TestDatabase,
  uniqueName,
} from '@pulse/testing';
import pg from 'pg';
import { type AppName, type AppProcess, startApp } from './app-process';
import { emptyBucket } from './buckets';
import { type OwnNatsServer, startOwnNatsServer } from './nats-server';
import type { OwnRgw } from './own-rgw';
import { freePort } from './ports';

export interface StackOptions {
  /** Run a private nats-server (for restart scenarios) instead of the machine's shared one. */
  ownNats?: boolean;
  /** A private RGW (for outage scenarios) instead of the shared one. */
  rgw?: OwnRgw;
  /** Extra env for every app of this stack (e.g. short ack waits so redelivery is quick). */
  env?: Record<string, string>;
}

export interface StartOptions {
  env?: Record<string, string>;
  label?: string;
}

/**
 * One isolated copy of the system for a scenario: a fresh migrated database, its own NATS stream and
 * subject prefix (or its own NATS server), its own buckets, an SMTP capture, and the real apps as
 * child processes. Every secret it hands out is remembered for the secrets scan.
 */
export interface Stack {
  readonly db: TestDatabase;
  /** For counting rows and injecting Postgres faults. */
  readonly pool: pg.Pool;
  readonly smtp: SmtpCapture;
  readonly nats: { url: string; server?: OwnNatsServer };
  readonly buckets: { exports: string; reports: string; rawIq: string; artifacts: string };
  /** A storage client on the same S3 as the apps: count objects and incomplete multipart uploads. */
  readonly storage: Storage;
  /** A bus client on the apps' stream: publish job messages directly, as the outbox relay would. */
  readonly bus: Bus;
  /** The test process's own log lines (storage client), scanned with the apps'. */
  readonly testLogs: LogCapture;
  /** Values that must never appear in a log line (S3 secret, signing secret); tests add tokens/OTPs. */
  readonly secrets: Set<string>;
  readonly apps: AppProcess[];
  /** Common env every app gets. */
  env(): Record<string, string>;
  start(app: AppName, options?: StartOptions): Promise<AppProcess>;
  /** Base URL of the (first) ui-api started. */
  uiUrl(): string;
  close(): Promise<void>;
}

const bucketName = (kind: string) => uniqueName(`rel-${kind}`).replace(/_/g, '-').slice(0, 63);

export async function createStack(options: StackOptions = {}): Promise<Stack> {
  const db = await createTestDatabase('pulse_rel');
  const pool = new pg.Pool({ connectionString: db.url, max: 4, application_name: 'reliability' });
  // Fault scenarios terminate backends; an idle client dying must not crash the test process.
  pool.on('error', () => undefined);
  const smtp = await startSmtpCapture();
  const server = options.ownNats ? await startOwnNatsServer() : undefined;
  const natsUrl = server?.url ?? NATS_URL;
  const s3Env = options.rgw?.env ?? s3TestEnv();
  const suffix = uniqueName('rel').replace(/^rel_/, '');
  const buckets = {
    exports: bucketName('exp'),
    reports: bucketName('rep'),
    rawIq: bucketName('iq'),
    artifacts: bucketName('art'),
  };
  const keys = {
    REPORT_LINK_SECRET: randomBytes(24).toString('base64url'),
    UNSUBSCRIBE_SIGNING_SECRET: randomBytes(24).toString('base64url'),
    OTP_HASH_SECRET: randomBytes(24).toString('base64url'),
  };
  const secrets = new Set<string>([s3Env.S3_SECRET_KEY!, ...Object.values(keys)]);
  const testLogs = new LogCapture();

  const common: Record<string, string> = {
    NODE_ENV: 'test',
    LOG_LEVEL: 'info',
    DATABASE_URL: db.url,
    DATABASE_POOL_MAX: '5',
    NATS_URL: natsUrl,
    NATS_STREAM: `REL_${suffix}`.replace(/[^A-Za-z0-9_-]/g, '_'),
    NATS_SUBJECT_PREFIX: `rel_${suffix}`.replace(/[^a-z0-9_-]/g, '_'),
    ...s3Env,
    S3_BUCKET_EXPORTS: buckets.exports,
    S3_BUCKET_REPORTS: buckets.reports,
    S3_BUCKET_RAW_IQ: buckets.rawIq,
    S3_BUCKET_ARTIFACTS: buckets.artifacts,
    // Small parts keep RGW's RAM use low and make "mid-upload" faults reachable with small exports.
    S3_PART_SIZE_MB: '5',
    S3_QUEUE_SIZE: '2',
    SMTP_HOST: smtp.host,
    SMTP_PORT: String(smtp.port),
    ...keys,
    ...options.env,
  };

  const clients = loadConfig({ s3: s3Config, nats: natsConfig }, common);
  const logger = createLogger({ name: 'reliability', level: 'info', pretty: false, destination: testLogs });
  const storage = createStorage({ config: clients.s3, logger });
  for (const bucket of Object.values(buckets)) await storage.ensureBucket(bucket);
  const bus = await connectBus({ config: clients.nats, logger, name: 'reliability-test' });

  const apps: AppProcess[] = [];
  let uiUrl = '';

  const stack: Stack = {
    db,
    pool,
    smtp,
    nats: { url: natsUrl, server },
    buckets,
    storage,
    bus,
    testLogs,
    secrets,
    apps,
    env: () => ({ ...common }),
    async start(app, startOptions = {}) {
      const port = await freePort();
      const isApi = app === 'ui-api';
      const base = `http://127.0.0.1:${port}`;
      const env: Record<string, string> = isApi
        ? { ...common, HTTP_HOST: '127.0.0.1', HTTP_PORT: String(port), PUBLIC_BASE_URL: base }
        : { ...common, OPS_HTTP_HOST: '127.0.0.1', OPS_HTTP_PORT: String(port) };
      const proc = await startApp({
        app,
        env: { ...env, ...startOptions.env },
        readyUrl: `${base}/health/ready`,
        label: startOptions.label ?? `${app}#${apps.length}`,
      });
      apps.push(proc);
      if (isApi && !uiUrl) uiUrl = base;
      return proc;
    },
    uiUrl() {
      if (!uiUrl) throw new Error('no ui-api started in this stack');
      return uiUrl;
    },
    async close() {
      await Promise.allSettled(apps.map((a) => a.stop(5_000)));
      await bus.close().catch(() => undefined);
      await Promise.allSettled(Object.values(buckets).map((b) => emptyBucket(storage, b)));
      storage.close();
      await pool.end().catch(() => undefined);
      await smtp.close().catch(() => undefined);
      await server?.destroy();
      await db.drop().catch(() => undefined);
    },
  };
  return stack;
}
