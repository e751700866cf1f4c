import { GetBucketCorsCommand, PutBucketCorsCommand } from '@aws-sdk/client-s3';
import { isStorageError } from '../errors';
import type { CorsResult } from '../types';
import { type S3Context, withRetry } from './context';
import { sdkErrorName } from './errors';

// What a browser does with our presigned URLs: PUT the bytes of an upload (with the signed
// Content-Type), and GET or HEAD a download. ETag is exposed so the page can show what was stored.
const METHODS = ['PUT', 'GET', 'HEAD'];

/**
 * Lets pages from `origins` use presigned URLs on `bucket` from script (fetch / XHR), which browsers
 * allow only when the bucket answers the CORS preflight. Replaced only when it differs, so every
 * replica can call it at start-up. Servers without bucket CORS get a warning: uploads from the UI then
 * need the rule set by hand (or a server that allows every origin, as MinIO does).
 */
export async function allowBrowserOrigins(ctx: S3Context, bucket: string, origins: string[]): Promise<CorsResult> {
  const wanted = [...new Set(origins)].sort();
  try {
    const current = await withRetry(ctx, 'get cors', () =>
      ctx.clients.s3.send(new GetBucketCorsCommand({ Bucket: bucket })),
    ).catch((err: unknown) => {
      if (sdkErrorName(err) === 'NoSuchCORSConfiguration') return { CORSRules: [] };
      throw err;
    });
    const rule = current.CORSRules?.length === 1 ? current.CORSRules[0] : undefined;
    const same =
      rule &&
      JSON.stringify([...(rule.AllowedOrigins ?? [])].sort()) === JSON.stringify(wanted) &&
      JSON.stringify([...(rule.AllowedMethods ?? [])].sort()) === JSON.stringify([...METHODS].sort());
    if (same) return { applied: true, changed: false };
    await withRetry(ctx, 'put cors', () =>
      ctx.clients.s3.send(
        new PutBucketCorsCommand({
          Bucket: bucket,
          CORSConfiguration: {
            CORSRules: [
              {
                AllowedOrigins: wanted,
                AllowedMethods: METHODS,
                AllowedHeaders: ['*'],
                ExposeHeaders: ['ETag'],
                MaxAgeSeconds: 3600,
              },
            ],
          },
        }),
      ),
    );
    ctx.logger.info({ event: 's3_cors_applied', bucket, origins: wanted }, 'bucket CORS rule applied');
    return { applied: true, changed: true };
  } catch (err) {
    if (!isStorageError(err, 'Unsupported')) throw err;
    ctx.logger.warn({ event: 's3_cors_unsupported', bucket }, 'server does not support bucket CORS');
    return { applied: false, unsupported: true };
  }
}
