import { loadConfig, natsConfig, s3Config } from '@pulse/config';
import { type Bus, connectBus } from '@pulse/bus';
import { createDb, type Db } from '@pulse/db';
import { createLogger, type Logger } from '@pulse/logger';
import { createStorage, type Storage } from '@pulse/storage';
import { createTestDatabase, LogCapture, NATS_URL, s3TestEnv, uniqueName } from '@pulse/testing';
import { connect } from 'nats';
import type { ExportSettings } from '../src/config';
import type { ExportConsumerDeps } from '../src/consumer';
import type { ExportContext } from '../src/handle-export-requested';

export interface WorkerEnv {
  db: Db;
  storage: Storage;
  bus: Bus;
  logs: LogCapture;
  logger: Logger;
  bucket: string;
  settings: ExportSettings;
  deps: ExportConsumerDeps;
  natsStream: string;
  /** The environment a separate process (e.g. `pnpm pulse dlq`) needs to reach the same database and stream. */
  processEnv: Record<string, string>;
  dispose(): Promise<void>;
}

export const SETTINGS: ExportSettings = {
  concurrency: 1,
  progressThrottleMs: 50,
  retentionDays: 7,
  xlsxFetchRows: 500,
};

/** Real Postgres (fresh database), real NATS (own stream), real RGW (own bucket). */
export async function openWorkerEnv(options: { maxDeliver?: number; ackWaitMs?: number } = {}): Promise<WorkerEnv> {
  const testDb = await createTestDatabase('pulse_export_t');
  const db = createDb({ url: testDb.url, poolMax: 6 });
  const logs = new LogCapture();
  const logger = createLogger({ name: 'export-worker-test', level: 'debug', destination: logs });
  const natsStream = uniqueName('t_exp');
  const { nats, s3 } = loadConfig(
    { nats: natsConfig, s3: s3Config },
    {
      ...s3TestEnv(),
      // Small parts, so a modest export is a real multipart upload.
      S3_PART_SIZE_MB: '5',
      S3_QUEUE_SIZE: '2',
      NATS_URL,
      NATS_STREAM: natsStream,
      NATS_SUBJECT_PREFIX: natsStream,
      NATS_MAX_DELIVER: String(options.maxDeliver ?? 3),
      NATS_ACK_WAIT_MS: String(options.ackWaitMs ?? 5000),
    },
  );
  const storage = createStorage({ config: s3, logger });
  const bucket = uniqueName('t-exp').replace(/_/g, '-');
  await storage.ensureBucket(bucket);
  const bus = await connectBus({ config: nats, logger, name: 'export-worker-test' });
  const deps: ExportConsumerDeps = { db, storage, bus, logger, bucket, settings: SETTINGS };
  return {
    db,
    storage,
    bus,
    logs,
    logger,
    bucket,
    settings: SETTINGS,
    deps,
    natsStream,
    processEnv: { DATABASE_URL: testDb.url, NATS_URL, NATS_STREAM: natsStream, NATS_SUBJECT_PREFIX: natsStream },
    async dispose() {
      await bus.close();
      const nc = await connect({ servers: NATS_URL });
      await (await nc.jetstreamManager()).streams.delete(natsStream).catch(() => undefined);
      await nc.close();
      for await (const obj of storage.list(bucket)) await storage.delete(bucket, obj.key);
      storage.close();
      await db.close();
      await testDb.drop();
    },
  };
}

export interface Seeded {
  userId: string;
  otherUserId: string;
  deviceIds: string[];
}

/** A user following two devices, another user, and `rows` telemetry rows spread over October 2026. */
export async function seed(db: Db, rows: number): Promise<Seeded> {
  const user = await db.prisma.user.create({ data: { email: `${uniqueName('u')}@t.local`, name: 'Exporter' } });
  const other = await db.prisma.user.create({ data: { email: `${uniqueName('o')}@t.local`, name: 'Other' } });
  const deviceIds = ['dev-a', 'dev-b"quoted,\\'];
  for (const id of [...deviceIds, 'dev-hidden']) await db.prisma.device.create({ data: { id, name: id } });
  await db.prisma.deviceFollow.createMany({ data: deviceIds.map((deviceId) => ({ userId: user.id, deviceId })) });
  // Metric names with the characters every format must survive: quotes, commas, backslashes, newlines, non-ASCII.
  await db.pool.query(
    `INSERT INTO telemetry (device_id, ts, metric, value)
     SELECT (ARRAY['dev-a', 'dev-b"quoted,\\', 'dev-hidden'])[1 + i % 3],
            timestamptz '2026-10-01T00:00:00Z' + make_interval(secs => i * 7.25),
            (ARRAY['temperature', 'say "hi", \\o/', E'line\\nbreak', 'Zoë°C'])[1 + (i / 3) % 4],
            round((sin(i) * 100)::numeric, 4)::float8
       FROM generate_series(0, $1::int - 1) AS i`,
    [rows],
  );
  return { userId: user.id, otherUserId: other.id, deviceIds };
}

export interface JobSpec {
  userId: string;
  format: 'csv' | 'ndjson' | 'xlsx';
  deviceIds: string[];
  from?: Date;
  to?: Date;
  metrics?: string[];
}

export const OCT = { from: new Date('2026-10-01T00:00:00Z'), to: new Date('2026-11-01T00:00:00Z') };

export async function createJob(db: Db, spec: JobSpec): Promise<string> {
  const job = await db.prisma.exportJob.create({
    data: {
      userId: spec.userId,
      format: spec.format,
      deviceIds: spec.deviceIds,
      metrics: spec.metrics ?? [],
      fromTs: spec.from ?? OCT.from,
      toTs: spec.to ?? OCT.to,
    },
  });
  return job.id;
}

export interface ExpectedRow {
  ts: Date;
  device_id: string;
  metric: string;
  value: number;
}

/** What the export should contain, read independently of the worker's SQL. */
export async function expectedRows(db: Db, spec: JobSpec): Promise<ExpectedRow[]> {
  const { rows } = await db.pool.query<ExpectedRow>(
    `SELECT ts, device_id, metric, value FROM telemetry
      WHERE device_id = ANY($1) AND ts >= $2 AND ts < $3 AND (cardinality($4::text[]) = 0 OR metric = ANY($4))
      ORDER BY device_id, ts`,
    [spec.deviceIds, spec.from ?? OCT.from, spec.to ?? OCT.to, spec.metrics ?? []],
  );
  return rows;
}

export function testContext(
  signal: AbortSignal = new AbortController().signal,
): ExportContext & { workingCalls: number } {
  const ctx = {
    deliveryCount: 1,
    signal,
    workingCalls: 0,
    working() {
      ctx.workingCalls++;
    },
  };
  return ctx;
}

export async function readObject(storage: Storage, bucket: string, key: string): Promise<Buffer> {
  const { body } = await storage.get(bucket, key);
  const chunks: Buffer[] = [];
  for await (const chunk of body) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

export async function until(check: () => Promise<boolean>, stepMs = 100): Promise<void> {
  while (!(await check())) await new Promise((r) => setTimeout(r, stepMs));
}
