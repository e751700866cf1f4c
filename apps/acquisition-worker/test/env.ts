import { type Bus, connectBus, type Payload } from '@pulse/bus';
import { loadConfig } from '@pulse/config';
import { createDb, type Db } from '@pulse/db';
import { createLogger, type Logger } from '@pulse/logger';
import { createStorage, type Storage, StorageError } from '@pulse/storage';
import { createTestDatabase, LogCapture, NATS_URL, s3TestEnv, uniqueName } from '@pulse/testing';
import { type AcquisitionWorkerConfig, acquisitionWorkerConfigShape } from '../src/config';
import type { AcquisitionContext, AcquisitionDeps } from '../src/handle-acquisition-requested';
import type { ReceiverSource } from '../src/sources/receiver-source';
import { syntheticSource } from '../src/sources/synthetic-source';

export const RECEIVERS = ['twente', 'kiwi-de', 'hackgreen', 'nl-utwente', 'dk-sdr', 'pl-szczecin', 'fr-f4kmn'];

export interface WorkerEnv {
  config: AcquisitionWorkerConfig;
  db: Db;
  storage: Storage;
  logger: Logger;
  logs: LogCapture;
  bucket: string;
  userId: string;
  /** Progress events the handler emitted (the fake bus records them). */
  progress: Payload<'acquisition.progress'>[];
  deps(overrides?: Partial<AcquisitionDeps>): AcquisitionDeps;
  /** Connects a real bus on this env's unique stream and prefix. */
  connectBus(): Promise<Bus>;
  createTask(spec?: {
    receivers?: string[];
    durationMs?: number;
    sampleRate?: number;
    frequencyHz?: number;
  }): Promise<string>;
  dispose(): Promise<void>;
}

export async function openWorkerEnv(): Promise<WorkerEnv> {
  const testDb = await createTestDatabase('pulse_acq');
  const config = loadConfig(acquisitionWorkerConfigShape, {
    ...s3TestEnv(),
    DATABASE_URL: testDb.url,
    DATABASE_POOL_MAX: '5',
    NATS_URL,
    NATS_STREAM: uniqueName('ACQ').toUpperCase(),
    NATS_SUBJECT_PREFIX: uniqueName('t').replace(/_/g, '-'),
    // Not created up front: the worker must create it on first use.
    S3_BUCKET_RAW_IQ: uniqueName('t-iq').replace(/_/g, '-').slice(0, 63),
    ACQUISITION_RECEIVER_CONCURRENCY: '3',
    LOG_LEVEL: 'debug',
  });
  const logs = new LogCapture();
  const logger = createLogger({ name: 'acquisition-worker', level: 'debug', destination: logs });
  const db = createDb(config.db);
  const storage = createStorage({ config: config.s3, logger });
  const bucket = config.s3.buckets.rawIq;
  const user = await db.prisma.user.create({ data: { email: `${uniqueName('u')}@t.local`, name: 'Engineer' } });
  const progress: Payload<'acquisition.progress'>[] = [];
  const buses: Bus[] = [];

  return {
    config,
    db,
    storage,
    logger,
    logs,
    bucket,
    userId: user.id,
    progress,
    deps: (overrides = {}) => ({
      db,
      storage,
      logger,
      bucket,
      source: syntheticSource(),
      settings: config.app,
      bus: {
        emit: (subject, payload) => {
          if (subject === 'acquisition.progress') progress.push(payload as Payload<'acquisition.progress'>);
        },
      },
      ...overrides,
    }),
    async connectBus() {
      const bus = await connectBus({ config: config.nats, logger, name: 'acq-test' });
      buses.push(bus);
      return bus;
    },
    async createTask(spec = {}) {
      // Receivers the test has not registered itself are synthetic ones.
      await db.prisma.receiver.createMany({
        data: (spec.receivers ?? RECEIVERS).map((id) => ({
          id,
          name: id,
          kind: 'synthetic' as const,
          minFrequencyHz: 100_000n,
          maxFrequencyHz: 30_000_000n,
          maxSampleRate: 2_400_000,
        })),
        skipDuplicates: true,
      });
      const task = await db.prisma.acquisitionTask.create({
        data: {
          userId: user.id,
          frequencyHz: BigInt(spec.frequencyHz ?? 7_100_000),
          durationMs: spec.durationMs ?? 100,
          sampleRate: spec.sampleRate ?? 48_000,
          receivers: spec.receivers ?? RECEIVERS,
          total: (spec.receivers ?? RECEIVERS).length,
        },
      });
      return task.id;
    },
    async dispose() {
      for (const bus of buses) await bus.close();
      const keys: string[] = [];
      try {
        for await (const obj of storage.list(bucket)) keys.push(obj.key);
        await storage.deleteMany(bucket, keys);
      } catch {
        // The bucket was never created (no task reached the upload): nothing to clean.
      }
      storage.close();
      await db.close();
      await testDb.drop();
    },
  };
}

/** A message context for calling the handler directly, as the bus would. */
export function testContext(
  deliveryCount = 1,
  signal = new AbortController().signal,
): AcquisitionContext & { workingCalls: number } {
  const ctx = {
    deliveryCount,
    signal,
    workingCalls: 0,
    working() {
      ctx.workingCalls++;
    },
  };
  return ctx;
}

/** Real storage whose `put` fails for the keys `failKey` picks (an outage a real server won't stage on cue). */
export function failingPuts(storage: Storage, failKey: (key: string) => boolean): Storage {
  return new Proxy(storage, {
    get(target, prop, receiver) {
      if (prop === 'put') {
        return ((bucket, key, body, options) =>
          failKey(key)
            ? Promise.reject(new StorageError('Unavailable', 'upload failed: ServiceUnavailable'))
            : target.put(bucket, key, body, options)) as Storage['put'];
      }
      const value = Reflect.get(target, prop, receiver) as unknown;
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

/** The synthetic source, except that the given receivers throw as if they were offline. */
export function sourceWithOffline(offline: string[]): ReceiverSource {
  const real = syntheticSource();
  return {
    name: real.name,
    acquire: (request) =>
      offline.includes(request.receiverId)
        ? Promise.reject(new Error(`receiver ${request.receiverId} did not answer`))
        : real.acquire(request),
  };
}

export async function readObject(storage: Storage, bucket: string, key: string): Promise<Buffer> {
  const { body } = await storage.get(bucket, key);
  const chunks: Buffer[] = [];
  for await (const chunk of body) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}
