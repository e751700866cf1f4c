import { connectBus, type Bus } from '@pulse/bus';
import { loadConfig } from '@pulse/config';
import { createDb, type Db } from '@pulse/db';
import { createLogger, type Logger } from '@pulse/logger';
import { createMailer, type Mailer } from '@pulse/mail';
import { createStorage, type Storage } from '@pulse/storage';
import {
  createTestDatabase,
  LogCapture,
  NATS_URL,
  s3TestEnv,
  type SmtpCapture,
  startSmtpCapture,
  uniqueName,
} from '@pulse/testing';
import { type ReportWorkerConfig, reportWorkerConfigShape } from '../src/config';
import type { ReportHandlerDeps } from '../src/handle-report-requested';

const LINK_SECRET = 'test-link-signing-secret-0123456789';

export interface ReportFixture {
  config: ReportWorkerConfig;
  db: Db;
  storage: Storage;
  smtp: SmtpCapture;
  mailer: Mailer;
  logs: LogCapture;
  logger: Logger;
  /** Handler deps over the real services; spread and override per test (storage down, a small cap). */
  deps: ReportHandlerDeps;
  connectBus(): Promise<Bus>;
  /** A storage client pointed at a closed port: every call fails like an S3 outage. */
  deadStorage(): Storage;
  close(): Promise<void>;
}

export interface FixtureOptions {
  env?: Record<string, string>;
  /** An existing database (e.g. the ui-api harness's), instead of a fresh one. */
  databaseUrl?: string;
  /** An existing SMTP capture, instead of a new one. */
  smtp?: SmtpCapture;
}

/** report-worker's real dependencies for one test file: fresh database, RGW bucket, SMTP capture, NATS names. */
export async function startReportFixture(options: FixtureOptions = {}): Promise<ReportFixture> {
  const database = options.databaseUrl ? undefined : await createTestDatabase('pulse_reports');
  const smtp = options.smtp ?? (await startSmtpCapture());
  const env = {
    ...s3TestEnv(),
    LOG_LEVEL: 'debug',
    DATABASE_URL: options.databaseUrl ?? database!.url,
    DATABASE_POOL_MAX: '8',
    NATS_URL,
    NATS_STREAM: uniqueName('REPORTS').toUpperCase(),
    NATS_SUBJECT_PREFIX: uniqueName('t').replace(/_/g, '-'),
    S3_BUCKET_REPORTS: uniqueName('t-rep').replace(/_/g, '-').slice(0, 63),
    S3_RETRY_ATTEMPTS: '2',
    S3_RETRY_BASE_MS: '20',
    S3_HEALTH_TIMEOUT_MS: '500',
    SMTP_HOST: smtp.host,
    SMTP_PORT: String(smtp.port),
    REPORT_LINK_SECRET: LINK_SECRET,
    UNSUBSCRIBE_SIGNING_SECRET: 'test-unsubscribe-signing-secret-0123456789',
    PUBLIC_BASE_URL: 'http://api.test',
    ...options.env,
  };
  const config = loadConfig(reportWorkerConfigShape, env);
  const logs = new LogCapture();
  const logger = createLogger({ name: 'report-worker', level: 'debug', destination: logs });
  const db = createDb(config.db);
  const storage = createStorage({ config: config.s3, logger });
  await storage.ensureBucket(config.s3.buckets.reports);
  const mailer = createMailer({ config: config.smtp, logger });
  const dead: Storage[] = [];
  const buses: Bus[] = [];

  return {
    config,
    db,
    storage,
    smtp,
    mailer,
    logs,
    logger,
    deps: { db, storage, mailer, logger, settings: config.app, keys: config.keys, bucket: config.s3.buckets.reports },
    async connectBus() {
      const bus = await connectBus({ config: config.nats, logger, name: 'report-worker-test' });
      buses.push(bus);
      return bus;
    },
    deadStorage() {
      const s = createStorage({
        config: { ...config.s3, endpoint: 'http://127.0.0.1:9', publicEndpoint: 'http://127.0.0.1:9' },
        logger,
      });
      dead.push(s);
      return s;
    },
    async close() {
      for (const bus of buses) await bus.close();
      for (const s of dead) s.close();
      mailer.close();
      storage.close();
      await db.close();
      if (!options.smtp) await smtp.close();
      await database?.drop();
    },
  };
}

export interface SeededFollower {
  id: string;
  email: string;
  name: string;
  devices: string[];
}

/**
 * Three devices with hourly temperature + humidity for October 2026 (and a few September readings that
 * must not count), followed by two users; a third user follows nothing and must get no report.
 */
export async function seedReportWorld(db: Db): Promise<SeededFollower[]> {
  const tag = uniqueName('w');
  const devices = ['a', 'b', 'c'].map((d) => ({
    id: `${tag}-${d}`,
    name: `Sensor ${d.toUpperCase()} ${tag.slice(-4)}`,
    site: d === 'a' ? 'Łódź' : null,
  }));
  await db.prisma.device.createMany({ data: devices });
  await db.pool.query(
    `INSERT INTO telemetry (device_id, ts, metric, value)
     SELECT d, ts, m, CASE m WHEN 'temperature' THEN 20 + 5 * sin(extract(epoch FROM ts) / 40000) ELSE 50 + (extract(hour FROM ts)) END
     FROM unnest($1::text[]) d,
          generate_series('2026-09-30T20:00:00Z'::timestamptz, '2026-10-31T23:00:00Z'::timestamptz, interval '1 hour') ts,
          unnest(ARRAY['temperature', 'humidity']) m`,
    [devices.map((d) => d.id)],
  );
  const people = [
    { email: `${tag}-zoe@example.com`, name: 'Zoë Ørsted-Dvořák', devices: [devices[0]!.id, devices[1]!.id] },
    { email: `${tag}-bob@example.com`, name: 'Bob Builder', devices: [devices[1]!.id, devices[2]!.id] },
  ];
  const followers: SeededFollower[] = [];
  for (const p of people) {
    const user = await db.prisma.user.create({ data: { email: p.email, name: p.name } });
    await db.prisma.deviceFollow.createMany({ data: p.devices.map((deviceId) => ({ userId: user.id, deviceId })) });
    followers.push({ id: user.id, ...p });
  }
  await db.prisma.user.create({ data: { email: `${tag}-nobody@example.com`, name: 'Follows Nothing' } });
  return followers;
}
