import type { Bus } from '@pulse/bus';
import type { Db } from '@pulse/db';
import { readinessChecks } from '@pulse/infra';
import { readinessProbe } from '@pulse/runtime';
import type { Storage } from '@pulse/storage';
import type { UiApiConfig } from '../config';

/**
 * ui-api's one readiness verdict, cached for a few seconds and shared by the public /health/ready and
 * /health/s3 and the ops listener: a burst of probes costs one query and one HeadBucket per bucket.
 */
export function apiReadiness(parts: {
  config: Pick<UiApiConfig, 's3'>;
  db: Pick<Db, 'pool'>;
  bus: Pick<Bus, 'isConnected'>;
  storage: Pick<Storage, 'health'>;
}) {
  const { s3, ...core } = readinessChecks(parts, Object.values(parts.config.s3.buckets));
  // The checks every process runs; the API's /health/ready has always named the S3 one "storage".
  return readinessProbe({ ...core, storage: s3 });
}

/** ui-api's probe: its report's `detail.storage` is the storage health result (absent when the check
 *  threw or timed out). */
export type ApiReadiness = ReturnType<typeof apiReadiness>;
