// Shared by the cleanup tests: a fresh database, per-file buckets on the real RGW, captured logs,
// and helpers that write rows the way the other apps do.
import { loadConfig } from '@pulse/config';
import { createDb, type Db } from '@pulse/db';
import { createLogger } from '@pulse/logger';
import { createStorage, type Storage } from '@pulse/storage';
import { createTestDatabase, LogCapture, s3TestEnv, type TestDatabase, uniqueName } from '@pulse/testing';
import { type CleanupConfig, cleanupConfigShape } from '../src/config';
import type { CleanupDeps } from '../src/deps';
import { mapLimit } from '../src/pages';

export const HOUR = 3_600_000;
export const DAY = 24 * HOUR;

export interface Harness {
  /** The environment the config was parsed from, for child processes (the CLI). */
  env: Record<string, string>;
  config: CleanupConfig;
  db: Db;
  storage: Storage;
  logs: LogCapture;
  buckets: CleanupConfig['s3']['buckets'];
  deps(overrides?: Partial<CleanupDeps>): CleanupDeps;
  close(): Promise<void>;
}

const bucketName = (tag: string) => uniqueName(`cw${tag}`).replace(/_/g, '-');

export async function startHarness(overrides: Record<string, string> = {}): Promise<Harness> {
  const database: TestDatabase = await createTestDatabase('cleanup_t');
  const env: Record<string, string> = {
    ...s3TestEnv(),
    DATABASE_URL: database.url,
    S3_BUCKET_EXPORTS: bucketName('ex'),
    S3_BUCKET_REPORTS: bucketName('rp'),
    S3_BUCKET_RAW_IQ: bucketName('iq'),
    S3_BUCKET_ARTIFACTS: bucketName('ar'),
    S3_RETRY_BASE_MS: '10',
    ...overrides,
  };
  const config = loadConfig(cleanupConfigShape, env);
  const logs = new LogCapture();
  const logger = createLogger({ name: 'cleanup-test', level: 'debug', destination: logs });
  const db = createDb(config.db);
  const storage = createStorage({ config: config.s3, logger });
  for (const bucket of Object.values(config.s3.buckets)) await storage.ensureBucket(bucket);
  return {
    env,
    config,
    db,
    storage,
    logs,
    buckets: config.s3.buckets,
    deps: (overrides = {}) => ({ db, storage, logger, config, now: () => new Date(), dryRun: false, ...overrides }),
    async close() {
      for (const bucket of Object.values(config.s3.buckets)) await emptyBucket(storage, bucket);
      storage.close();
      await db.close();
      await database.drop();
    },
  };
}

/**
 * RGW keeps everything in RAM: leave nothing behind (buckets themselves are not in the Storage API).
 * Rules go too: RGW's lifecycle thread walks every bucket that has some, and slows with each one.
 */
async function emptyBucket(storage: Storage, bucket: string): Promise<void> {
  await storage.putLifecycle(bucket, []);
  for await (const u of storage.listMultipartUploads(bucket))
    await storage.abortMultipartUpload(bucket, u.key, u.uploadId);
  const keys: string[] = [];
  for await (const o of storage.list(bucket)) keys.push(o.key);
  if (keys.length) await storage.deleteMany(bucket, keys);
}

export async function putObjects(storage: Storage, bucket: string, keys: string[], concurrency = 32): Promise<void> {
  await mapLimit(keys, concurrency, (key) =>
    storage.put(bucket, key, Buffer.from(`bytes of ${key}`), { contentType: 'text/plain' }),
  );
}

export async function createUser(db: Db): Promise<string> {
  const user = await db.prisma.user.create({ data: { email: `${uniqueName('u')}@example.test`, name: 'Test User' } });
  return user.id;
}

export interface FileRowInput {
  ownerId: string;
  kind: 'export' | 'report' | 'acquisition' | 'upload' | 'debug';
  bucket: string;
  objectKey: string;
  status?: 'pending' | 'ready' | 'deleted' | 'missing';
  sizeBytes?: number;
  createdAt?: Date;
  expiresAt?: Date;
}

/** An artifact with one file row, as the producing apps write them. */
export async function createFileRow(db: Db, input: FileRowInput): Promise<string> {
  const artifact = await db.prisma.artifact.create({
    data: { ownerId: input.ownerId, kind: input.kind, title: 'test artifact' },
  });
  const file = await db.prisma.artifactFile.create({
    data: {
      artifactId: artifact.id,
      ownerId: input.ownerId,
      bucket: input.bucket,
      objectKey: input.objectKey,
      contentType: 'text/plain',
      sizeBytes: BigInt(input.sizeBytes ?? 10),
      originalFilename: 'file.txt',
      status: input.status ?? 'ready',
      createdAt: input.createdAt,
      expiresAt: input.expiresAt,
      deletedAt: input.status === 'deleted' ? new Date() : undefined,
    },
  });
  return file.id;
}

export async function createExportJob(
  db: Db,
  input: { userId: string; fileId: string; createdAt?: Date },
): Promise<string> {
  const job = await db.prisma.exportJob.create({
    data: {
      userId: input.userId,
      format: 'csv',
      deviceIds: ['dev-1'],
      metrics: ['temp'],
      fromTs: new Date('2026-01-01T00:00:00Z'),
      toTs: new Date('2026-01-02T00:00:00Z'),
      status: 'succeeded',
      fileId: input.fileId,
      createdAt: input.createdAt,
    },
  });
  return job.id;
}

/** Every log line must be free of the object keys the test used. */
export function assertNoKeysLogged(logs: LogCapture, keys: string[]): void {
  for (const key of keys) if (logs.text.includes(key)) throw new Error(`a log line contains the object key ${key}`);
}
