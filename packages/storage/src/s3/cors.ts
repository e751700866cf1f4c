import { type CORSRule, GetBucketCorsCommand, PutBucketCorsCommand } from '@aws-sdk/client-s3';
import { isStorageError } from '../errors';
import { PULSE_RULE_ID_PREFIX } from '../retention';
import type { CorsResult } from '../types';
import { type S3Context, withRetry } from './context';
import { sdkErrorName } from './errors';

// What a browser does with our presigned URLs: PUT the bytes of an upload (with the signed
// Content-Type), and GET or HEAD a download. ETag is exposed so the page can show what was stored.
const METHODS = ['PUT', 'GET', 'HEAD'];

const RULE_ID = `${PULSE_RULE_ID_PREFIX}browser-uploads`;

/**
 * Lets pages from `origins` use presigned URLs on `bucket` from script (fetch / XHR), which browsers
 * allow only when the bucket answers the CORS preflight. Pulse's rule (by its id) is added or updated;
 * every other rule on the bucket is kept as it is. Written only when that changes something, so every
 * replica (or each run of storage:setup) can call it. Servers without bucket CORS get a warning:
 * uploads from the UI then need the rule set by hand (or a server that allows every origin, as MinIO does).
 */
export async function allowBrowserOrigins(ctx: S3Context, bucket: string, origins: string[]): Promise<CorsResult> {
  const wanted = [...new Set(origins)].sort();
  const ours: CORSRule = {
    ID: RULE_ID,
    AllowedOrigins: wanted,
    AllowedMethods: METHODS,
    AllowedHeaders: ['*'],
    ExposeHeaders: ['ETag'],
    MaxAgeSeconds: 3600,
  };
  try {
    const current = await withRetry(ctx, 'get cors', () =>
      ctx.clients.s3.send(new GetBucketCorsCommand({ Bucket: bucket })),
    ).catch((err: unknown) => {
      if (sdkErrorName(err) === 'NoSuchCORSConfiguration') return { CORSRules: [] };
      throw err;
    });
    const rules = current.CORSRules ?? [];
    const existing = rules.find((r) => r.ID === RULE_ID);
    const same =
      existing &&
      JSON.stringify([...(existing.AllowedOrigins ?? [])].sort()) === JSON.stringify(wanted) &&
      JSON.stringify([...(existing.AllowedMethods ?? [])].sort()) === JSON.stringify([...METHODS].sort());
    if (same) return { applied: true, changed: false };
    const others = rules.filter((r) => r.ID !== RULE_ID);
    await withRetry(ctx, 'put cors', () =>
      ctx.clients.s3.send(
        new PutBucketCorsCommand({ Bucket: bucket, CORSConfiguration: { CORSRules: [...others, ours] } }),
      ),
    );
    ctx.logger.info(
      { event: 's3_cors_applied', bucket, origins: wanted, kept: others.length },
      'bucket CORS rule applied',
    );
    return { applied: true, changed: true };
  } catch (err) {
    if (!isStorageError(err, 'Unsupported')) throw err;
    ctx.logger.warn({ event: 's3_cors_unsupported', bucket }, 'server does not support bucket CORS');
    return { applied: false, unsupported: true };
  }
}
