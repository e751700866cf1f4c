/**
 * Boots the real ui-api for a test file: a fresh migrated Postgres database, real NATS (unique stream
 * and subject prefix), real RGW (unique buckets), a real SMTP capture and a log capture. Nothing is
 * mocked, so a test sees what a browser or script would see.
 *
 *   const app = await startTestApp();            // in beforeAll
 *   const alice = await app.login('alice@example.com');
 *   const res = await app.request('/api/v1/me', { token: alice.token });
 *   await app.close();                           // in afterAll
 */
import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { type Bus, connectBus, type Subject } from '@pulse/bus';
import { loadConfig } from '@pulse/config';
import {
  type ArtifactKind,
  createDb,
  type Db,
  type FileStatus,
  startChangeFeed,
  startOutboxRelay,
  type UserRole,
} from '@pulse/db';
import { createLogger, type LogDestination, type Logger } from '@pulse/logger';
import { createMailer } from '@pulse/mail';
import { createMetricsRegistry, startOpsServer, storageMetrics } from '@pulse/runtime';
import { createStorage, type Storage } from '@pulse/storage';
import {
  createTestDatabase,
  LogCapture,
  NATS_URL,
  s3TestEnv,
  type SmtpCapture,
  startSmtpCapture,
  uniqueName,
  waitFor,
} from '@pulse/testing';
import { seedReceivers } from '@pulse/acquisitions';
import { createApp } from '../src/app';
import { type UiApiConfig, uiApiConfigShape } from '../src/config';
import type { AppInput } from '../src/deps';
import { opsRoutes } from '../src/health/ops-routes';
import { apiReadiness } from '../src/health/readiness';
import { sessionCookieName } from '../src/http/session';

export interface StartTestAppOptions {
  /** Env on top of the harness defaults, e.g. `{ DEBUG: '1' }` or `{ NODE_ENV: 'production' }`. */
  env?: Record<string, string>;
  /** Replaces the real storage (e.g. one pointed at a closed port, for readiness failures). */
  storage?: (config: UiApiConfig, logger: Logger) => Storage;
  /** Run the outbox relay (default true), so jobs written by the API reach NATS. */
  outboxRelay?: boolean;
  /** Log lines go to this stream instead of `logs` (benchmarks: a file, written the way production writes stdout). */
  logDestination?: LogDestination;
}

export interface TestUser {
  id: string;
  email: string;
  name: string;
  role: UserRole;
}

export interface LoggedIn {
  /** Bearer token (also the cookie value). */
  token: string;
  /** `pulse_session=...` (`__Host-pulse_session=...` with Secure cookies), ready for a Cookie header. */
  cookie: string;
  user: TestUser;
}

export interface TestRequestInit extends Omit<RequestInit, 'body'> {
  /** Sent as `Authorization: Bearer <token>`. */
  token?: string;
  /** Sent as the Cookie header; with a cookie, non-GET requests also get `X-Requested-With: pulse`
   *  unless `csrf: false`. */
  cookie?: string;
  csrf?: boolean;
  /** Serialised as JSON with a JSON content type. */
  json?: unknown;
  /** A raw body (e.g. invalid JSON); set `headers['content-type']` yourself. */
  body?: RequestInit['body'];
}

export interface SeedFileOptions {
  ownerId: string;
  filename?: string;
  contentType?: string;
  body?: Buffer | string;
  kind?: ArtifactKind;
  status?: FileStatus;
  expiresAt?: Date;
  /** Default: buckets.artifacts with key `artifacts/{artifactId}/{fileId}{.ext}`. */
  bucket?: string;
}

export interface SeededFile {
  id: string;
  artifactId: string;
  bucket: string;
  objectKey: string;
  filename: string;
  contentType: string;
  body: Buffer;
}

export interface TestClock {
  /** Moves `deps.now()` forward (sessions, OTP expiry, links); real timers are untouched. */
  advance(ms: number): void;
  reset(): void;
}

export interface TestApp {
  /** `http://127.0.0.1:<port>` */
  url: string;
  /** The ops listener (`http://127.0.0.1:<port>`): /metrics, /health/ready and /health/s3 with detail. */
  opsUrl: string;
  deps: AppInput;
  /** The environment the app's config was loaded from (to start the same app as a real process). */
  env: Record<string, string>;
  config: UiApiConfig;
  db: Db;
  storage: Storage;
  bus: Bus;
  smtp: SmtpCapture;
  /** Every log line the app wrote (JSON), for event assertions and secret scans; empty with `logDestination`. */
  logs: LogCapture;
  clock: TestClock;
  /** fetch against the app; redirects are NOT followed (`redirect: 'manual'`), so 302s are visible. */
  request(pathname: string, init?: TestRequestInit): Promise<Response>;
  /** GET on the ops listener (e.g. `app.ops('/metrics')`). */
  ops(pathname: string): Promise<Response>;
  /** OTP login for `email` (the user is created if missing), reading the code from the SMTP capture. */
  login(email?: string, options?: { name?: string; role?: UserRole }): Promise<LoggedIn>;
  /** Waits for the next OTP email to `email` and returns the 6-digit code in it. */
  otpFromMail(email: string, after?: number): Promise<string>;
  seed: {
    user(options?: { email?: string; name?: string; role?: UserRole }): Promise<TestUser>;
    /** Stores real bytes in RGW plus artifact + artifact_files rows (ready by default). */
    file(options: SeedFileOptions): Promise<SeededFile>;
  };
  close(): Promise<void>;
}

/** Env every harness app gets; tests override single values with `options.env`. */
function harnessEnv(databaseUrl: string, smtp: SmtpCapture): Record<string, string> {
  const bucket = (what: string) => uniqueName(`t-${what}`).replace(/_/g, '-').slice(0, 63);
  return {
    ...s3TestEnv(),
    NODE_ENV: 'test',
    LOG_LEVEL: 'debug',
    DATABASE_URL: databaseUrl,
    DATABASE_POOL_MAX: '5',
    NATS_URL,
    NATS_STREAM: uniqueName('UIAPI').toUpperCase(),
    NATS_SUBJECT_PREFIX: uniqueName('t').replace(/_/g, '-'),
    S3_BUCKET_EXPORTS: bucket('exp'),
    S3_BUCKET_REPORTS: bucket('rep'),
    S3_BUCKET_RAW_IQ: bucket('iq'),
    S3_BUCKET_ARTIFACTS: bucket('art'),
    SMTP_HOST: smtp.host,
    SMTP_PORT: String(smtp.port),
    HTTP_PORT: '0',
    REPORT_LINK_SECRET: 'test-report-link-secret-0123456789',
    UNSUBSCRIBE_SIGNING_SECRET: 'test-unsubscribe-signing-secret-0123456789',
    OTP_HASH_SECRET: 'test-otp-hash-secret-0123456789',
    // Many logins from one loopback address: the per-IP limit is tested explicitly where it matters.
    OTP_RATE_PER_IP_PER_HOUR: '1000',
    OTP_RATE_PER_EMAIL_PER_HOUR: '50',
    OUTBOX_INTERVAL_MS: '100',
  };
}

const OTP_IN_MAIL = /\b(\d{6})\b/;

export async function startTestApp(options: StartTestAppOptions = {}): Promise<TestApp> {
  const database = await createTestDatabase('pulse_uiapi');
  const smtp = await startSmtpCapture();
  const env = { ...harnessEnv(database.url, smtp), ...options.env };
  const config: UiApiConfig = loadConfig(uiApiConfigShape, env);

  const logs = new LogCapture();
  const logger = createLogger({
    name: 'ui-api',
    level: config.log.level,
    destination: options.logDestination ?? logs,
  });
  const metrics = createMetricsRegistry('ui-api');
  const db = createDb(config.db);
  // As main.ts does at start-up: the configured list seeds the (empty) receivers registry.
  await seedReceivers(db, config.app.acquisition.seed);
  const bus = await connectBus({ config: config.nats, logger, name: 'ui-api-test' });
  const realStorage = createStorage({ config: config.s3, logger, metrics: storageMetrics(metrics) });
  for (const b of Object.values(config.s3.buckets)) await realStorage.ensureBucket(b);
  // As main.ts does: the UI's origin may use presigned URLs on the uploads bucket.
  await realStorage.allowBrowserOrigins(config.s3.buckets.artifacts, [new URL(config.http.publicBaseUrl).origin]);
  const storage = options.storage ? options.storage(config, logger) : realStorage;
  const mailer = createMailer({ config: config.smtp, logger });
  const relay =
    options.outboxRelay === false
      ? undefined
      : startOutboxRelay({
          db,
          // Outbox rows carry the subject as plain text; the bus validates it (and the payload) again.
          publish: (subject, payload, o) => bus.publish(subject as Subject, payload as never, o),
          logger,
          intervalMs: config.app.outboxIntervalMs,
        });

  let offsetMs = 0;
  const clock: TestClock = {
    advance: (ms) => {
      offsetMs += ms;
    },
    reset: () => {
      offsetMs = 0;
    },
  };
  const changes = startChangeFeed({
    connectionString: config.db.url,
    logger,
    applicationName: `${database.name}_feed`,
  });
  // Tests start with the caches in their normal state: the feed listening.
  await waitFor(async () => changes.live, { timeoutMs: 10_000, intervalMs: 10, what: 'the change feed to listen' });
  const deps: AppInput = {
    config,
    logger,
    db,
    storage,
    bus,
    mailer,
    metrics,
    readiness: apiReadiness({ config, db, bus, storage }),
    now: () => new Date(Date.now() + offsetMs),
    kickOutbox: () => void relay?.flush(),
    changes,
  };
  // HTTP_PORT=0 (the default here) picks a free port; a fixed one lets signed local-storage URLs point back here.
  const server: Server = createApp(deps).listen(config.http.port, '127.0.0.1');
  await new Promise<void>((resolve, reject) => server.once('listening', resolve).once('error', reject));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  // As main.ts does, on a free loopback port.
  const opsServer = await startOpsServer({
    host: '127.0.0.1',
    port: 0,
    logger,
    registry: metrics,
    readiness: deps.readiness,
    routes: opsRoutes({ config, readiness: deps.readiness }),
  });
  const opsUrl = `http://127.0.0.1:${opsServer.port}`;

  const request: TestApp['request'] = (pathname, init = {}) => {
    const { token, cookie, csrf, json, headers, ...rest } = init;
    const h = new Headers(headers);
    if (token) h.set('authorization', `Bearer ${token}`);
    if (cookie) {
      h.set('cookie', cookie);
      const method = (rest.method ?? 'GET').toUpperCase();
      if (csrf !== false && method !== 'GET' && method !== 'HEAD') h.set('x-requested-with', 'pulse');
    }
    let body = rest.body;
    if (json !== undefined) {
      h.set('content-type', 'application/json');
      body = JSON.stringify(json);
    }
    return fetch(new URL(pathname, url), { redirect: 'manual', ...rest, headers: h, body });
  };

  const seedUser: TestApp['seed']['user'] = async (o = {}) => {
    const email = (o.email ?? `${uniqueName('user')}@example.com`).toLowerCase();
    const row = await db.prisma.user.upsert({
      where: { email },
      create: { email, name: o.name ?? email.split('@')[0]!, role: o.role ?? 'user' },
      update: o.role ? { role: o.role } : {},
    });
    return { id: row.id, email: row.email, name: row.name, role: row.role };
  };

  const otpFromMail: TestApp['otpFromMail'] = async (email, after = 0) => {
    const target = email.toLowerCase();
    const mail = await smtp.waitFor(
      (m) => smtp.messages.indexOf(m) >= after && m.to.includes(target) && OTP_IN_MAIL.test(m.text),
    );
    return OTP_IN_MAIL.exec(mail.text)![1]!;
  };

  const login: TestApp['login'] = async (email, o = {}) => {
    const user = await seedUser({ email, ...o });
    const mark = smtp.messages.length;
    const requested = await request('/api/v1/auth/otp/request', { method: 'POST', json: { email: user.email } });
    if (requested.status !== 202) throw new Error(`otp request failed: ${requested.status} ${await requested.text()}`);
    const code = await otpFromMail(user.email, mark);
    const verified = await request('/api/v1/auth/otp/verify', { method: 'POST', json: { email: user.email, code } });
    if (verified.status !== 200) throw new Error(`otp verify failed: ${verified.status} ${await verified.text()}`);
    const { token } = (await verified.json()) as { token: string };
    return { token, cookie: `${sessionCookieName(config.app.cookieSecure)}=${token}`, user };
  };

  const seedFile: TestApp['seed']['file'] = async (o) => {
    const filename = o.filename ?? 'sample.txt';
    const contentType = o.contentType ?? 'text/plain';
    const body = Buffer.isBuffer(o.body) ? o.body : Buffer.from(o.body ?? `seeded ${filename}\n`);
    const artifactId = randomUUID();
    const fileId = randomUUID();
    const bucket = o.bucket ?? config.s3.buckets.artifacts;
    const objectKey = `artifacts/${artifactId}/${fileId}${path.extname(filename).toLowerCase()}`;
    const put = await realStorage.put(bucket, objectKey, body, { contentType });
    await db.prisma.artifact.create({
      data: {
        id: artifactId,
        ownerId: o.ownerId,
        kind: o.kind ?? 'upload',
        title: filename,
        files: {
          create: {
            id: fileId,
            ownerId: o.ownerId,
            bucket,
            objectKey,
            contentType,
            sizeBytes: BigInt(body.length),
            sha256: put.sha256,
            originalFilename: filename,
            status: o.status ?? 'ready',
            expiresAt: o.expiresAt,
            deletedAt: o.status === 'deleted' ? new Date() : undefined,
          },
        },
      },
    });
    return { id: fileId, artifactId, bucket, objectKey, filename, contentType, body };
  };

  let closed = false;
  return {
    url,
    opsUrl,
    ops: (pathname) => fetch(new URL(pathname, opsUrl)),
    deps,
    env,
    config,
    db,
    storage,
    bus,
    smtp,
    logs,
    clock,
    request,
    login,
    otpFromMail,
    seed: { user: seedUser, file: seedFile },
    async close() {
      if (closed) return;
      closed = true;
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await opsServer.close();
      await relay?.stop();
      await changes.close();
      await bus.close();
      mailer.close();
      realStorage.close();
      if (storage !== realStorage) storage.close();
      await db.close();
      await smtp.close();
      await database.drop();
    },
  };
}

/** A loopback port that was free a moment ago (for tests that must know the app's URL before it starts). */
export async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

/** Runs `work` while `table` is renamed away: a real database failure in the middle of a request. */
export async function whileTableMissing<T>(app: TestApp, table: string, work: () => Promise<T>): Promise<T> {
  await app.db.pool.query(`ALTER TABLE ${table} RENAME TO ${table}_away`);
  try {
    return await work();
  } finally {
    await app.db.pool.query(`ALTER TABLE ${table}_away RENAME TO ${table}`);
  }
}
