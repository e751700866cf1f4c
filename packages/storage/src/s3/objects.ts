import type { Readable } from 'node:stream';
import {
  AbortMultipartUploadCommand,
  CopyObjectCommand,
  DeleteObjectCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListMultipartUploadsCommand,
  ListObjectsV2Command,
} from '@aws-sdk/client-s3';
import { isStorageError, StorageError } from '../errors';
import { elapsedMs } from '../observe';
import { assertPulseKey, isPulseKey } from '../prefixes';
import type { DeleteManyResult, DeleteOutcome, MultipartUploadInfo, ObjectInfo } from '../types';
import { assertValidKey } from '../keys';
import { failure, type S3Context, withRetry } from './context';
import { sseParams } from './sse';

/** DeleteObjects accepts at most this many keys per request. */
export const DELETE_BATCH = 1000;

export async function headObject(ctx: S3Context, bucket: string, key: string): Promise<ObjectInfo | null> {
  try {
    const out = await ctx.observer.timed('head', () =>
      withRetry(ctx, 'head', () => ctx.clients.s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key }))),
    );
    return {
      key,
      size: out.ContentLength ?? 0,
      etag: out.ETag,
      lastModified: out.LastModified,
      contentType: out.ContentType,
      metadata: out.Metadata,
    };
  } catch (err) {
    if (isStorageError(err, 'NotFound')) return null;
    throw err;
  }
}

export async function getObject(
  ctx: S3Context,
  bucket: string,
  key: string,
  options: { signal?: AbortSignal; range?: string } = {},
): Promise<{ body: Readable; info: ObjectInfo }> {
  const out = await ctx.observer.timed('get', () =>
    withRetry(
      ctx,
      'get',
      () =>
        ctx.clients.s3.send(new GetObjectCommand({ Bucket: bucket, Key: key, Range: options.range }), {
          abortSignal: options.signal,
        }),
      options.signal,
    ),
  );
  if (!out.Body) throw new StorageError('Internal', 'get returned no body');
  return {
    // In Node the SDK's body is an http.IncomingMessage (a Readable) with helper mixins.
    body: out.Body as Readable,
    info: {
      key,
      size: out.ContentLength ?? 0,
      etag: out.ETag,
      lastModified: out.LastModified,
      contentType: out.ContentType,
      metadata: out.Metadata,
    },
  };
}

export async function copyObject(ctx: S3Context, bucket: string, fromKey: string, toKey: string): Promise<ObjectInfo> {
  assertValidKey(fromKey);
  assertValidKey(toKey);
  const source = `${bucket}/${fromKey.split('/').map(encodeURIComponent).join('/')}`;
  await ctx.observer.timed('copy', () =>
    withRetry(ctx, 'copy', () =>
      ctx.clients.s3.send(
        new CopyObjectCommand({
          Bucket: bucket,
          Key: toKey,
          CopySource: source,
          MetadataDirective: 'COPY',
          ...sseParams(ctx.config),
        }),
      ),
    ),
  );
  const copied = await headObject(ctx, bucket, toKey);
  if (!copied) throw new StorageError('NotFound', 'copy failed: the copied object is not there');
  return copied;
}

export async function deleteObject(ctx: S3Context, bucket: string, key: string): Promise<void> {
  assertPulseKey(key);
  const started = performance.now();
  try {
    await ctx.observer.timed('delete', () =>
      withRetry(ctx, 'delete', () => ctx.clients.s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: key }))),
    );
    ctx.logger.info({ event: 's3_delete_ok', bucket, count: 1, durationMs: elapsedMs(started) }, 'deleted');
  } catch (err) {
    ctx.logger.error({ event: 's3_delete_error', bucket, count: 1, ...failure(err, 'delete') }, 'delete failed');
    throw err;
  }
}

export async function deleteObjectQuietly(ctx: S3Context, bucket: string, key: string): Promise<DeleteOutcome> {
  try {
    await deleteObject(ctx, bucket, key);
    return 'DELETED';
  } catch (err) {
    // A transient failure (timeout, reset, 5xx) may have happened after the server deleted it.
    return isStorageError(err) && !err.retryable ? 'ERROR' : 'UNKNOWN';
  }
}

export async function deleteObjects(ctx: S3Context, bucket: string, keys: string[]): Promise<DeleteManyResult> {
  const started = performance.now();
  const result: DeleteManyResult = { deleted: [], errors: [], unknown: [] };
  const ours: string[] = [];
  for (const key of keys) {
    if (isPulseKey(key)) ours.push(key);
    else result.errors.push({ key, code: 'InvalidKey', message: "outside Pulse's prefixes: not deleted" });
  }
  for (let i = 0; i < ours.length; i += DELETE_BATCH) {
    const batch = ours.slice(i, i + DELETE_BATCH);
    try {
      const out = await ctx.observer.timed('delete_batch', () =>
        withRetry(ctx, 'delete batch', () =>
          ctx.clients.s3.send(
            new DeleteObjectsCommand({
              Bucket: bucket,
              Delete: { Objects: batch.map((Key) => ({ Key })), Quiet: false },
            }),
          ),
        ),
      );
      const deleted = new Set((out.Deleted ?? []).map((d) => d.Key));
      const failed = new Map((out.Errors ?? []).map((e) => [e.Key, e]));
      for (const key of batch) {
        const error = failed.get(key);
        if (error) result.errors.push({ key, code: error.Code ?? 'Unknown', message: error.Message ?? '' });
        else if (deleted.has(key)) result.deleted.push(key);
        // Neither confirmed nor refused: say so rather than guess.
        else result.unknown.push(key);
      }
    } catch (err) {
      result.unknown.push(...batch);
      ctx.logger.error(
        { event: 's3_delete_error', bucket, count: batch.length, ...failure(err, 'delete batch') },
        'batch delete failed',
      );
    }
  }
  ctx.logger.info(
    {
      event: 's3_delete_ok',
      bucket,
      count: result.deleted.length,
      errors: result.errors.length,
      unknown: result.unknown.length,
      durationMs: elapsedMs(started),
    },
    'batch delete done',
  );
  return result;
}

export async function* listObjects(
  ctx: S3Context,
  bucket: string,
  prefix: string | undefined,
  options: { pageSize?: number; signal?: AbortSignal } = {},
): AsyncIterable<ObjectInfo> {
  const { signal } = options;
  const pageSize = Math.min(1000, Math.max(1, options.pageSize ?? 1000));
  let token: string | undefined;
  do {
    const page = await ctx.observer.timed('list_page', () =>
      withRetry(
        ctx,
        'list',
        () =>
          ctx.clients.s3.send(
            new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, MaxKeys: pageSize, ContinuationToken: token }),
            { abortSignal: signal },
          ),
        signal,
      ),
    );
    for (const o of page.Contents ?? []) {
      if (o.Key === undefined) continue;
      yield { key: o.Key, size: o.Size ?? 0, etag: o.ETag, lastModified: o.LastModified };
    }
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
    if (page.IsTruncated && !token)
      throw new StorageError('Internal', 'truncated listing without a continuation token');
  } while (token);
}

export async function* listUploads(
  ctx: S3Context,
  bucket: string,
  prefix?: string,
): AsyncIterable<MultipartUploadInfo> {
  let keyMarker: string | undefined;
  let uploadIdMarker: string | undefined;
  for (;;) {
    const page = await ctx.observer.timed('list_uploads_page', () =>
      withRetry(ctx, 'list uploads', () =>
        ctx.clients.s3.send(
          new ListMultipartUploadsCommand({
            Bucket: bucket,
            Prefix: prefix,
            KeyMarker: keyMarker,
            UploadIdMarker: uploadIdMarker,
          }),
        ),
      ),
    );
    for (const u of page.Uploads ?? []) {
      if (u.Key === undefined || u.UploadId === undefined) continue;
      yield { key: u.Key, uploadId: u.UploadId, initiated: u.Initiated };
    }
    if (!page.IsTruncated) return;
    if (!page.NextKeyMarker && !page.NextUploadIdMarker) {
      throw new StorageError('Internal', 'truncated upload listing without markers');
    }
    keyMarker = page.NextKeyMarker;
    uploadIdMarker = page.NextUploadIdMarker;
  }
}

/** Idempotent: an upload that is already gone counts as aborted. */
export async function abortUpload(ctx: S3Context, bucket: string, key: string, uploadId: string): Promise<void> {
  assertPulseKey(key);
  try {
    await ctx.observer.timed('abort_multipart', () =>
      withRetry(ctx, 'abort multipart', () =>
        ctx.clients.s3.send(new AbortMultipartUploadCommand({ Bucket: bucket, Key: key, UploadId: uploadId })),
      ),
    );
  } catch (err) {
    if (!isStorageError(err, 'NotFound')) throw err;
  }
}
