import { createHash } from 'node:crypto';
import { pipeline, type Readable, Transform } from 'node:stream';
import { HeadObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { abortedError } from '../errors';
import { assertValidKey } from '../keys';
import { elapsedMs } from '../observe';
import type { PutOptions, PutResult } from '../types';
import { failure, type S3Context, withRetry } from './context';
import { causeMessage, toStorageError } from './errors';
import { abortUpload } from './objects';
import { sseParams } from './sse';

export async function putObject(
  ctx: S3Context,
  bucket: string,
  key: string,
  body: Buffer | Readable,
  options: PutOptions,
): Promise<PutResult> {
  assertValidKey(key);
  const started = performance.now();
  const declaredSize = Buffer.isBuffer(body) ? body.length : options.contentLength;
  ctx.logger.info(
    { event: 's3_upload_start', bucket, size: declaredSize, streaming: !Buffer.isBuffer(body) },
    'upload',
  );
  try {
    const result = await ctx.observer.timed('put', () =>
      Buffer.isBuffer(body) ? putBuffer(ctx, bucket, key, body, options) : putStream(ctx, bucket, key, body, options),
    );
    ctx.logger.info({ event: 's3_upload_ok', bucket, size: result.size, durationMs: elapsedMs(started) }, 'uploaded');
    return result;
  } catch (err) {
    const e = options.signal?.aborted ? abortedError(options.signal) : toStorageError(err, 'upload');
    // A cancelled upload is the caller's decision, not an incident: a warning, and no alert.
    const level = e.code === 'Aborted' ? 'warn' : 'error';
    ctx.logger[level](
      {
        event: 's3_upload_error',
        bucket,
        size: declaredSize,
        durationMs: elapsedMs(started),
        code: e.code,
        error: e.message,
      },
      'upload failed',
    );
    if (e.code !== 'Aborted') {
      void ctx.alerter.notify({
        event: 's3_upload_error',
        bucket,
        code: e.code,
        message: causeMessage(e),
        redact: [key],
      });
    }
    throw e;
  }
}

const PAYLOAD_HASH = 'x-amz-content-sha256';

/**
 * A Buffer can be resent as is, so transient failures are retried here. PutObject on the
 * single-attempt client: the SDK signs (with its clock-skew correction) and sends it; the payload hash
 * it signs is the digest we report, computed once (or handed in by the caller) instead of twice.
 */
async function putBuffer(
  ctx: S3Context,
  bucket: string,
  key: string,
  body: Buffer,
  options: PutOptions,
): Promise<PutResult> {
  const sha256 = options.sha256 ?? createHash('sha256').update(body).digest('hex');
  const out = await withRetry(
    ctx,
    'upload',
    () => {
      const command = new PutObjectCommand({
        Bucket: bucket,
        Key: key,
        Body: body,
        ContentLength: body.length,
        ContentType: options.contentType,
        ContentDisposition: options.contentDisposition,
        Metadata: options.metadata,
        ...sseParams(ctx.config),
      });
      // The signer uses a payload hash that is already set instead of hashing the body again; the server
      // checks it against what it receives, so a wrong digest fails the upload.
      command.middlewareStack.add(
        (next) => (args) => {
          (args.request as { headers: Record<string, string> }).headers[PAYLOAD_HASH] = sha256;
          return next(args);
        },
        { step: 'build', name: 'pulsePayloadHash' },
      );
      return ctx.clients.s3.send(command, { abortSignal: options.signal });
    },
    options.signal,
  );
  options.onProgress?.(body.length);
  return { etag: out.ETag ?? '', size: body.length, sha256 };
}

/**
 * Streams through lib-storage's multipart Upload, which buffers at most about
 * partSize × (queueSize + 1) bytes. No retry of the whole upload here: a consumed stream can't be
 * replayed, so retrying is the caller's job (its job is redelivered and re-reads the source).
 * Single parts are still retried by the upload client, since lib-storage holds each part in memory.
 */
async function putStream(
  ctx: S3Context,
  bucket: string,
  key: string,
  source: Readable,
  options: PutOptions,
): Promise<PutResult> {
  const { signal } = options;
  if (signal?.aborted) throw abortedError(signal);

  const hash = createHash('sha256');
  let size = 0;
  const meter = new Transform({
    transform(chunk: Buffer, _enc, done) {
      hash.update(chunk);
      size += chunk.length;
      done(null, chunk);
    },
  });
  // Errors on either side tear both down, so a failing source also ends the upload.
  pipeline(source, meter, () => {});

  const upload = new Upload({
    client: ctx.clients.upload,
    params: {
      Bucket: bucket,
      Key: key,
      Body: meter,
      ContentType: options.contentType,
      ContentDisposition: options.contentDisposition,
      Metadata: options.metadata,
      ContentLength: options.contentLength,
      ...sseParams(ctx.config),
    },
    partSize: ctx.config.multipart.partSizeBytes,
    queueSize: ctx.config.multipart.queueSize,
    leavePartsOnError: false,
  });
  if (options.onProgress)
    upload.on('httpUploadProgress', (p) => p.loaded !== undefined && options.onProgress?.(p.loaded));

  // Not Upload.abort(): that rejects done() at once while parts are still being sent, and the
  // multipart upload is only aborted later (or never, if the source stalls). Failing the source
  // instead makes lib-storage finish its in-flight parts, abort the upload, then reject.
  const onAbort = () => meter.destroy(abortedError(signal));
  signal?.addEventListener('abort', onAbort, { once: true });
  try {
    const out = await upload.done();
    // RGW (and some other servers) answer CompleteMultipartUpload with an empty ETag.
    const etag = out.ETag || (await headEtag(ctx, bucket, key, signal));
    return { etag, size, sha256: hash.digest('hex') };
  } catch (err) {
    // Release the caller's source too (a DB cursor, a file): nobody will read the rest of it.
    meter.destroy();
    await abortQuietly(ctx, bucket, key, upload.uploadId);
    throw err;
  } finally {
    signal?.removeEventListener('abort', onAbort);
  }
}

async function headEtag(ctx: S3Context, bucket: string, key: string, signal?: AbortSignal): Promise<string> {
  const head = await withRetry(
    ctx,
    'head',
    () => ctx.clients.s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key }), { abortSignal: signal }),
    signal,
  );
  return head.ETag ?? '';
}

/**
 * lib-storage aborts the multipart upload itself (leavePartsOnError: false), but only once, without
 * retry; this makes sure no incomplete upload keeps its parts (and their storage cost) around.
 */
async function abortQuietly(ctx: S3Context, bucket: string, key: string, uploadId: string | undefined): Promise<void> {
  if (!uploadId) return;
  try {
    await abortUpload(ctx, bucket, key, uploadId);
  } catch (err) {
    ctx.logger.warn({ event: 's3_multipart_abort_error', bucket, ...failure(err, 'abort multipart') }, 'abort failed');
  }
}
