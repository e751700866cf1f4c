import type { Storage } from '../types';
import { ensureBucket } from './buckets';
import { createS3Clients } from './clients';
import type { S3Context } from './context';
import { checkHealth } from './health';
import { getLifecycle, putLifecycle } from './lifecycle';
import {
  abortUpload,
  copyObject,
  deleteObject,
  deleteObjectQuietly,
  deleteObjects,
  getObject,
  headObject,
  listObjects,
  listUploads,
} from './objects';
import { allowBrowserOrigins } from './cors';
import { objectLocator } from './object-url';
import { presignGet, presignPut } from './presign';
import { putObject } from './upload';

export function createS3Storage(deps: Omit<S3Context, 'clients' | 'presignLocation'>): Storage {
  const { config } = deps;
  const clients = createS3Clients(config);
  const presignLocation = objectLocator(clients.s3, {
    endpoint: config.publicEndpoint,
    region: config.region,
    forcePathStyle: config.forcePathStyle,
  });
  const ctx: S3Context = { ...deps, clients, presignLocation };
  return {
    backend: 's3',
    put: (bucket, key, body, options) => putObject(ctx, bucket, key, body, options),
    get: (bucket, key, options) => getObject(ctx, bucket, key, options),
    head: (bucket, key) => headObject(ctx, bucket, key),
    exists: async (bucket, key) => (await headObject(ctx, bucket, key)) !== null,
    presignGet: (bucket, key, options) => presignGet(ctx, bucket, key, options),
    presignPut: (bucket, key, options) => presignPut(ctx, bucket, key, options),
    copy: (bucket, fromKey, toKey) => copyObject(ctx, bucket, fromKey, toKey),
    delete: (bucket, key) => deleteObject(ctx, bucket, key),
    deleteQuietly: (bucket, key) => deleteObjectQuietly(ctx, bucket, key),
    deleteMany: (bucket, keys) => deleteObjects(ctx, bucket, keys),
    list: (bucket, prefix, options) => listObjects(ctx, bucket, prefix, options),
    listMultipartUploads: (bucket, prefix) => listUploads(ctx, bucket, prefix),
    abortMultipartUpload: (bucket, key, uploadId) => abortUpload(ctx, bucket, key, uploadId),
    ensureBucket: (bucket) => ensureBucket(ctx, bucket),
    putLifecycle: (bucket, rules) => putLifecycle(ctx, bucket, rules),
    getLifecycle: (bucket) => getLifecycle(ctx, bucket),
    browserOrigin: (bucket) => {
      const at = presignLocation(bucket, 'k');
      return `${at.protocol}//${at.hostname}${at.port === undefined ? '' : `:${at.port}`}`;
    },
    allowBrowserOrigins: (bucket, origins) => allowBrowserOrigins(ctx, bucket, origins),
    health: (buckets) => checkHealth(ctx, buckets ?? Object.values(ctx.config.buckets)),
    close: () => ctx.clients.destroy(),
  };
}
