import { HttpRequest } from '@smithy/core/protocols';
import { buildQueryString } from '@smithy/core/protocols';
import { contentDisposition } from '../content-disposition';
import { clampExpiry } from '../expiry';
import { assertValidKey } from '../keys';
import { elapsedMs } from '../observe';
import type { PresignedUrl, PresignGetOptions, PresignPutOptions } from '../types';
import type { S3Context } from './context';
import { causeMessage, toStorageError } from './errors';
import { sseHeaders } from './sse';

// S3 presigned URLs carry no payload hash: the body is whatever the holder of the URL sends.
const UNSIGNED_PAYLOAD = { 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD' };

export function presignGet(ctx: S3Context, bucket: string, key: string, options: PresignGetOptions = {}) {
  const query: Record<string, string> = {};
  if (options.filename) {
    query['response-content-disposition'] = contentDisposition(options.filename, options.disposition ?? 'attachment');
  } else if (options.disposition) {
    query['response-content-disposition'] = options.disposition;
  }
  if (options.contentType) query['response-content-type'] = options.contentType;
  return sign(ctx, { method: 'GET', bucket, key, expiresIn: options.expiresIn, query, headers: {} });
}

export async function presignPut(ctx: S3Context, bucket: string, key: string, options: PresignPutOptions) {
  assertValidKey(key);
  // Signed headers the uploader must send as they are: Content-Type (so nobody stores text/html where
  // we promised application/pdf), the length when known, and the encryption settings, which S3 accepts
  // for presigned PUTs as headers only, so a browser upload is encrypted like our own.
  const headers: Record<string, string> = { 'content-type': options.contentType, ...sseHeaders(ctx.config) };
  const signedOnly: Record<string, string> = {};
  if (options.contentLength !== undefined) signedOnly['content-length'] = String(options.contentLength);
  const presigned = await sign(ctx, {
    method: 'PUT',
    bucket,
    key,
    expiresIn: options.expiresIn,
    query: {},
    headers: { ...headers, ...signedOnly },
  });
  return { ...presigned, headers };
}

interface SignRequest {
  method: 'GET' | 'PUT';
  bucket: string;
  key: string;
  expiresIn: number | undefined;
  query: Record<string, string>;
  /** Sent by the URL's user and signed; x-amz-server-side-encryption* stay headers, not query. */
  headers: Record<string, string>;
}

/** Header names SignatureV4 must not hoist into the query string. */
const UNHOISTABLE = new Set(['x-amz-server-side-encryption', 'x-amz-server-side-encryption-aws-kms-key-id']);

async function sign(ctx: S3Context, req: SignRequest): Promise<PresignedUrl> {
  const started = performance.now();
  const expiresIn = clampExpiry(req.expiresIn, ctx.config.presignExpirySec);
  // The server's clock as the SDK last measured it (RequestTimeTooSkewed corrects it): a URL signed
  // with a skewed clock would be refused, or expire early.
  const signingDate = new Date(Date.now() + (ctx.clients.s3.config.systemClockOffset ?? 0));
  try {
    const url = await ctx.observer.timed(`presign_${req.method.toLowerCase()}`, async () => {
      const at = ctx.presignLocation(req.bucket, req.key);
      const host = at.port === undefined ? at.hostname : `${at.hostname}:${at.port}`;
      const request = new HttpRequest({
        method: req.method,
        protocol: at.protocol,
        hostname: at.hostname,
        port: at.port,
        path: at.path,
        query: req.query,
        headers: { ...req.headers, ...UNSIGNED_PAYLOAD, host },
      });
      const signed = await ctx.clients.signer.presign(request, {
        expiresIn,
        signingDate,
        unhoistableHeaders: UNHOISTABLE,
      });
      return `${at.protocol}//${host}${at.path}?${buildQueryString(signed.query ?? {})}`;
    });
    // Debug: every download presigns, and the caller logs the business event (`file_presigned`) already.
    ctx.logger.debug(
      { event: 's3_presign_ok', bucket: req.bucket, method: req.method, expiresIn, durationMs: elapsedMs(started) },
      'presigned',
    );
    return { url, expiresIn, expiresAt: new Date(signingDate.getTime() + expiresIn * 1000) };
  } catch (err) {
    const e = toStorageError(err, 'presign');
    ctx.logger.error(
      { event: 's3_presign_error', bucket: req.bucket, method: req.method, code: e.code, error: e.message },
      'presign failed',
    );
    void ctx.alerter.notify({
      event: 's3_presign_error',
      bucket: req.bucket,
      code: e.code,
      message: causeMessage(e),
      redact: [req.key],
    });
    throw e;
  }
}
