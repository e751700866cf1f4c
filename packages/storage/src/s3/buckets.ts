import { CreateBucketCommand, HeadBucketCommand } from '@aws-sdk/client-s3';
import { isStorageError } from '../errors';
import { assertValidBucket } from '../keys';
import { type S3Context, withRetry } from './context';
import { sdkErrorName } from './errors';

/** Idempotent, and safe when several replicas start at once. */
export async function ensureBucket(ctx: S3Context, bucket: string): Promise<void> {
  assertValidBucket(bucket);
  try {
    await withRetry(ctx, 'head bucket', () => ctx.clients.s3.send(new HeadBucketCommand({ Bucket: bucket })));
    return;
  } catch (err) {
    if (!isStorageError(err, 'NotFound') && !isStorageError(err, 'BucketNotFound')) throw err;
  }
  try {
    await withRetry(ctx, 'create bucket', () =>
      ctx.clients.s3.send(
        new CreateBucketCommand({
          Bucket: bucket,
          // us-east-1 is the default location and must not be named (RGW answers 400 if it is).
          CreateBucketConfiguration:
            ctx.config.region === 'us-east-1' ? undefined : { LocationConstraint: ctx.config.region as never },
        }),
      ),
    );
    ctx.logger.info({ event: 's3_bucket_created', bucket }, 'bucket created');
  } catch (err) {
    // Another replica won the race.
    if (sdkErrorName(err) !== 'BucketAlreadyOwnedByYou') throw err;
  }
}
