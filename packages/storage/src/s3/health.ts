import { HeadBucketCommand, ListBucketsCommand } from '@aws-sdk/client-s3';
import { elapsedMs } from '../observe';
import type { HealthResult, StorageDetail } from '../types';
import type { S3Context } from './context';
import { toStorageError } from './errors';

/**
 * One HeadBucket per bucket on the single-attempt client, all under one timeout: an unreachable
 * server answers `ok: false` within healthTimeoutMs instead of hanging a readiness probe. Never throws.
 */
export async function checkHealth(ctx: S3Context, buckets: string[]): Promise<HealthResult> {
  const started = performance.now();
  const signal = AbortSignal.timeout(ctx.config.healthTimeoutMs);
  const problems: string[] = [];
  const probe = async (what: string, send: () => Promise<unknown>): Promise<boolean> => {
    try {
      await send();
      return true;
    } catch (err) {
      problems.push(`${what}: ${signal.aborted ? 'Timeout' : toStorageError(err, 'health').code}`);
      return false;
    }
  };

  const results = await Promise.all(
    buckets.map(async (bucket) => {
      const ok = await probe(bucket, () =>
        ctx.clients.s3.send(new HeadBucketCommand({ Bucket: bucket }), { abortSignal: signal }),
      );
      return [bucket, ok] as const;
    }),
  );
  // No bucket to check: reachability and credentials only.
  if (buckets.length === 0) {
    await probe('server', () => ctx.clients.s3.send(new ListBucketsCommand({}), { abortSignal: signal }));
  }

  return {
    ok: problems.length === 0,
    backend: 's3',
    latencyMs: elapsedMs(started),
    buckets: Object.fromEntries(results),
    ...(problems.length ? { error: problems.join('; ') } : {}),
    detail: storageDetail(ctx),
  };
}

export function storageDetail(ctx: S3Context): StorageDetail {
  const { config } = ctx;
  const { sse } = config;
  return {
    endpoint: config.endpoint ? new URL(config.endpoint).host : null,
    region: config.region,
    credentials: ctx.clients.credentialSource,
    encryption: sse
      ? {
          algorithm: sse.algorithm,
          kmsKeyId: sse.algorithm === 'aws:kms' ? (sse.kmsKeyId ? 'configured' : 'bucket default') : null,
        }
      : null,
    manageBuckets: config.manageBuckets,
  };
}
