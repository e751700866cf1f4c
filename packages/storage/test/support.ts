// Shared by the storage tests: a storage on the real RGW with captured logs, and per-file buckets.
import { DeleteBucketCommand, DeleteObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { loadConfig, type S3Config, s3Config } from '@pulse/config';
import { createLogger } from '@pulse/logger';
import { LogCapture, s3TestEnv, uniqueName } from '@pulse/testing';
import { createStorage, type Storage, type StorageMetrics } from '../src/index';

export interface TestStorage {
  storage: Storage;
  config: S3Config;
  logs: LogCapture;
}

export function testConfig(env: Record<string, string> = {}): S3Config {
  return loadConfig({ s3: s3Config }, { ...s3TestEnv(), S3_RETRY_BASE_MS: '10', ...env }).s3;
}

export function makeStorage(env: Record<string, string> = {}, metrics?: StorageMetrics): TestStorage {
  const logs = new LogCapture();
  const logger = createLogger({ name: 'storage-test', level: 'debug', destination: logs });
  const config = testConfig(env);
  return { storage: createStorage({ config, logger, metrics }), config, logs };
}

/** S3 bucket names: lowercase, no underscores, <= 63 chars. */
export const testBucket = (prefix = 'st') => uniqueName(prefix).replace(/_/g, '-');

/** A plain SDK client on the test RGW, for what the Storage API deliberately can't do. */
export const rawClient = (config: S3Config) =>
  new S3Client({
    endpoint: config.endpoint,
    region: config.region,
    forcePathStyle: true,
    credentials: config.credentials,
  });

/**
 * Empties and deletes a test bucket with a plain client: DeleteBucket is not in the app-facing Storage
 * API, and the Storage API deletes nothing outside Pulse's prefixes (tests also write other keys).
 */
export async function removeBucket(storage: Storage, config: S3Config, bucket: string): Promise<void> {
  for await (const u of storage.listMultipartUploads(bucket))
    await storage.abortMultipartUpload(bucket, u.key, u.uploadId).catch(() => undefined);
  const s3 = rawClient(config);
  try {
    for await (const o of storage.list(bucket)) await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: o.key }));
    await s3.send(new DeleteBucketCommand({ Bucket: bucket }));
  } finally {
    s3.destroy();
  }
}

/** Every log line must be free of presign signatures and of the object keys the test used. */
export function assertLogsClean(logs: LogCapture, keys: string[]): void {
  const text = logs.text;
  if (/X-Amz-Signature/i.test(text)) throw new Error('a log line contains X-Amz-Signature');
  for (const key of keys) if (text.includes(key)) throw new Error(`a log line contains the object key ${key}`);
}
