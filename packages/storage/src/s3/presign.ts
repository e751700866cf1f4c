import { PutObjectCommand } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { contentDisposition } from '../content-disposition';
import { StorageError } from '../errors';
import { clampExpiry } from '../expiry';
import { assertValidKey } from '../keys';
import { elapsedMs } from '../observe';
import type { PresignedUrl, PresignGetOptions, PresignPutOptions } from '../types';
import type { S3Context } from './context';
import { causeMessage, toStorageError } from './errors';
import { presignGetSigV4 } from './sigv4-presign';

// A checksum in a presigned PUT URL is the checksum of the empty body it was signed with.
const CHECKSUM_PARAM = /[?&]x-amz-(sdk-)?checksum/i;

export function presignGet(ctx: S3Context, bucket: string, key: string, options: PresignGetOptions = {}) {
  const disposition = options.disposition ?? 'attachment';
  const { config } = ctx;
  return sign(ctx, {
    method: 'GET',
    bucket,
    key,
    expiresIn: options.expiresIn,
    // Signed for the public endpoint: the URL is opened by a browser, not by us.
    signUrl: async (expiresIn, now) =>
      presignGetSigV4({
        endpoint: config.publicEndpoint,
        region: config.region,
        accessKeyId: config.accessKeyId,
        secretAccessKey: config.secretAccessKey,
        forcePathStyle: config.forcePathStyle,
        bucket,
        key,
        expiresIn,
        now,
        query: {
          'response-content-disposition': options.filename
            ? contentDisposition(options.filename, disposition)
            : options.disposition,
          'response-content-type': options.contentType,
        },
      }),
  });
}

export async function presignPut(ctx: S3Context, bucket: string, key: string, options: PresignPutOptions) {
  assertValidKey(key);
  const command = new PutObjectCommand({
    Bucket: bucket,
    Key: key,
    ContentType: options.contentType,
    ContentLength: options.contentLength,
  });
  const presigned = await sign(ctx, {
    method: 'PUT',
    bucket,
    key,
    expiresIn: options.expiresIn,
    signUrl: async (expiresIn, signingDate) => {
      const signed = await getSignedUrl(ctx.clients.presign, command, {
        expiresIn,
        signingDate,
        // The presigner leaves Content-Type unsigned by default; binding it stops an uploader from
        // storing e.g. text/html where we promised application/pdf.
        signableHeaders: new Set(['content-type']),
      });
      if (CHECKSUM_PARAM.test(signed)) {
        throw new StorageError('Internal', 'presigned PUT carries a body checksum; uploads through it would fail');
      }
      return signed;
    },
  });
  // Content-Type is a signed header: the uploader must send exactly this one.
  return { ...presigned, headers: { 'content-type': options.contentType } };
}

interface SignRequest {
  method: 'GET' | 'PUT';
  bucket: string;
  key: string;
  expiresIn: number | undefined;
  signUrl: (expiresIn: number, signingDate: Date) => Promise<string>;
}

async function sign(ctx: S3Context, req: SignRequest): Promise<PresignedUrl> {
  const started = performance.now();
  const expiresIn = clampExpiry(req.expiresIn, ctx.config.presignExpirySec);
  const signingDate = new Date();
  try {
    const url = await ctx.observer.timed(`presign_${req.method.toLowerCase()}`, () =>
      req.signUrl(expiresIn, signingDate),
    );
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
