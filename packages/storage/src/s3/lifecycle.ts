import {
  DeleteBucketLifecycleCommand,
  GetBucketLifecycleConfigurationCommand,
  type LifecycleRule as S3LifecycleRule,
  PutBucketLifecycleConfigurationCommand,
} from '@aws-sdk/client-s3';
import { isStorageError, StorageError } from '../errors';
import { PULSE_RULE_ID_PREFIX } from '../retention';
import type { LifecycleResult, LifecycleRule } from '../types';
import { type S3Context, withRetry } from './context';
import { sdkErrorName } from './errors';

/** Rules as a server may echo them back (Filter.Prefix or the legacy top-level Prefix), in one shape. */
function canonical(rules: S3LifecycleRule[]): string {
  const flat = rules.map((r) => ({
    id: r.ID ?? '',
    status: r.Status ?? '',
    prefix: r.Filter?.Prefix ?? r.Prefix ?? '',
    days: r.Expiration?.Days ?? null,
    abortDays: r.AbortIncompleteMultipartUpload?.DaysAfterInitiation ?? null,
  }));
  return JSON.stringify(flat.sort((a, b) => a.id.localeCompare(b.id)));
}

function toS3Rules(rules: LifecycleRule[]): S3LifecycleRule[] {
  const wholeDays = (d: number | undefined) => d === undefined || (Number.isInteger(d) && d >= 1);
  for (const r of rules) {
    const acts = r.expirationDays !== undefined || r.abortIncompleteMultipartDays !== undefined;
    if (
      !r.id.startsWith(PULSE_RULE_ID_PREFIX) ||
      !acts ||
      !wholeDays(r.expirationDays) ||
      !wholeDays(r.abortIncompleteMultipartDays)
    ) {
      throw new StorageError(
        'InvalidArgument',
        `lifecycle rule needs an id starting with "${PULSE_RULE_ID_PREFIX}" and whole expirationDays and/or abortIncompleteMultipartDays >= 1`,
      );
    }
  }
  return rules.map((r) => ({
    ID: r.id,
    Status: 'Enabled',
    Filter: { Prefix: r.prefix },
    Expiration: r.expirationDays === undefined ? undefined : { Days: r.expirationDays },
    AbortIncompleteMultipartUpload:
      r.abortIncompleteMultipartDays === undefined
        ? undefined
        : { DaysAfterInitiation: r.abortIncompleteMultipartDays },
  }));
}

function fromS3Rules(rules: S3LifecycleRule[]): LifecycleRule[] {
  return rules.map((r) => ({
    id: r.ID ?? '',
    prefix: r.Filter?.Prefix ?? r.Prefix ?? '',
    expirationDays: r.Expiration?.Days,
    abortIncompleteMultipartDays: r.AbortIncompleteMultipartUpload?.DaysAfterInitiation,
  }));
}

/** The bucket's rules as the server has them; null when it has none. */
async function currentRules(ctx: S3Context, bucket: string): Promise<S3LifecycleRule[] | null> {
  try {
    const out = await withRetry(ctx, 'get lifecycle', () =>
      ctx.clients.s3.send(new GetBucketLifecycleConfigurationCommand({ Bucket: bucket })),
    );
    return out.Rules ?? [];
  } catch (err) {
    if (sdkErrorName(err) === 'NoSuchLifecycleConfiguration') return null;
    throw err;
  }
}

const isPulseRule = (r: S3LifecycleRule) => (r.ID ?? '').startsWith(PULSE_RULE_ID_PREFIX);

/**
 * Makes Pulse's rules (ids starting with `pulse-`) on the bucket exactly `rules`, keeping every other
 * rule as it is (a shared bucket's owner has its own), and writes only when that changes something
 * (so every replica can call it at start-up). Servers without lifecycle support get a warning, not a
 * crash: cleanup-worker enforces retention itself anyway.
 */
export async function putLifecycle(ctx: S3Context, bucket: string, rules: LifecycleRule[]): Promise<LifecycleResult> {
  const ours = toS3Rules(rules);
  try {
    const current = await currentRules(ctx, bucket);
    const desired = [...(current ?? []).filter((r) => !isPulseRule(r)), ...ours];
    if (canonical(current ?? []) === canonical(desired)) return { applied: true, changed: false };
    if (desired.length === 0) {
      await withRetry(ctx, 'delete lifecycle', () =>
        ctx.clients.s3.send(new DeleteBucketLifecycleCommand({ Bucket: bucket })),
      );
    } else {
      await withRetry(ctx, 'put lifecycle', () =>
        ctx.clients.s3.send(
          new PutBucketLifecycleConfigurationCommand({ Bucket: bucket, LifecycleConfiguration: { Rules: desired } }),
        ),
      );
    }
    ctx.logger.info(
      { event: 's3_lifecycle_applied', bucket, rules: ours.length, kept: desired.length - ours.length },
      'lifecycle rules applied',
    );
    return { applied: true, changed: true };
  } catch (err) {
    if (!isStorageError(err, 'Unsupported')) throw err;
    ctx.logger.warn({ event: 's3_lifecycle_unsupported', bucket }, 'server does not support lifecycle rules');
    return { applied: false, unsupported: true };
  }
}

export async function getLifecycle(ctx: S3Context, bucket: string): Promise<LifecycleRule[] | null> {
  try {
    const rules = await currentRules(ctx, bucket);
    return rules && fromS3Rules(rules);
  } catch (err) {
    if (!isStorageError(err, 'Unsupported')) throw err;
    ctx.logger.warn({ event: 's3_lifecycle_unsupported', bucket }, 'server does not support lifecycle rules');
    return null;
  }
}
