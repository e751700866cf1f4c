import { createHash } from 'node:crypto';
import { pipeline, type Readable, Transform } from 'node:stream';
import { HeadObjectCommand } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { abortedError } from '../errors';
import { assertValidKey } from '../keys';
import { elapsedMs } from '../observe';
import type { PutOptions, PutResult } from '../types';
import { failure, type S3Context, withRetry } from './context';
import { causeMessage, toStorageError } from './errors';
import { REQUEST_TIMEOUT_MS } from './clients';
import { abortUpload } from './objects';
import { sha256Hex } from './sigv4';
import { sendPut, signPut } from './sigv4-put';

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

/** A Buffer can be resent as is, so transient failures are retried here. */
async function putBuffer(
  ctx: S3Context,
  bucket: string,
  key: string,
  body: Buffer,
  options: PutOptions,
): Promise<PutResult> {
  const sha256 = options.sha256 ?? sha256Hex(body);
  const { config } = ctx;
  const headers: Record<string, string> = {};
  if (options.contentType) headers['content-type'] = options.contentType;
  if (options.contentDisposition) headers['content-disposition'] = options.contentDisposition;
  for (const [k, v] of Object.entries(options.metadata ?? {})) headers[`x-amz-meta-${k.toLowerCase()}`] = v;
  const out = await withRetry(
    ctx,
    'upload',
    // Signed per attempt: a retry after a backoff gets a fresh date.
    () =>
      sendPut(
        signPut({
          endpoint: config.endpoint,
          forcePathStyle: config.forcePathStyle,
          region: config.region,
          accessKeyId: config.accessKeyId,
          secretAccessKey: config.secretAccessKey,
          bucket,
          key,
          payloadSha256: sha256,
          contentLength: body.length,
          headers,
          now: new Date(),
        }),
        body,
        { agent: ctx.clients.agents, signal: options.signal, timeoutMs: REQUEST_TIMEOUT_MS },
      ),
    options.signal,
  );
  options.onProgress?.(body.length);
  return { etag: out.etag, size: body.length, sha256 };
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
