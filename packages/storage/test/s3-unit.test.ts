// Error paths a real server can't be made to produce on demand: the S3 client is mocked here only.
import { Readable } from 'node:stream';
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  GetBucketLifecycleConfigurationCommand,
  PutBucketLifecycleConfigurationCommand,
  S3Client,
  S3ServiceException,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { afterAll, afterEach, describe, expect, it } from '@jest/globals';
import { mockClient } from 'aws-sdk-client-mock';
import { isStorageError } from '../src/index';
import { makeStorage } from './support';

const s3 = mockClient(S3Client);
afterEach(() => {
  s3.reset();
});
afterAll(() => {
  s3.restore();
});

const serverError = (name: string, status: number, fault: 'client' | 'server' = 'server') =>
  new S3ServiceException({
    name,
    $fault: fault,
    $metadata: { httpStatusCode: status },
    message: `${name} (${status})`,
  });

const MB = 1024 * 1024;
const env = { S3_ENDPOINT: 'http://127.0.0.1:7480', S3_RETRY_ATTEMPTS: '4', S3_RETRY_BASE_MS: '1' };

describe('multipart failure', () => {
  it('aborts the multipart upload when a part fails, and never completes it', async () => {
    const { storage, logs } = makeStorage({ ...env, S3_PART_SIZE_MB: '5', S3_QUEUE_SIZE: '2' });
    s3.on(CreateMultipartUploadCommand).resolves({ UploadId: 'upload-1' });
    s3.on(UploadPartCommand).resolvesOnce({ ETag: '"p1"' }).rejects(serverError('InternalError', 500));
    s3.on(AbortMultipartUploadCommand).resolves({});
    const body = Readable.from(Array.from({ length: 12 }, () => Buffer.alloc(MB, 7)));
    const err = await storage
      .put('bucket-a', 'exports/big.bin', body, { contentType: 'application/octet-stream' })
      .catch((e: unknown) => e);
    expect(isStorageError(err)).toBe(true);
    const aborts = s3.commandCalls(AbortMultipartUploadCommand);
    expect(aborts.length).toBeGreaterThanOrEqual(1);
    expect(aborts[0]!.args[0].input).toMatchObject({
      Bucket: 'bucket-a',
      Key: 'exports/big.bin',
      UploadId: 'upload-1',
    });
    expect(s3.commandCalls(CompleteMultipartUploadCommand)).toHaveLength(0);
    expect(logs.events('s3_upload_error')).toHaveLength(1);
  });
});

describe('lifecycle on a server without it', () => {
  it('NotImplemented is a warning and {applied:false, unsupported:true}, not a crash', async () => {
    const { storage, logs } = makeStorage(env);
    s3.on(GetBucketLifecycleConfigurationCommand).rejects(serverError('NoSuchLifecycleConfiguration', 404, 'client'));
    s3.on(PutBucketLifecycleConfigurationCommand).rejects(serverError('NotImplemented', 501));
    const result = await storage.putLifecycle('bucket-a', [{ id: 'pulse-r', prefix: 'exports/', expirationDays: 7 }]);
    expect(result).toEqual({ applied: false, unsupported: true });
    const warnings = logs.events('s3_lifecycle_unsupported');
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatchObject({ level: 'warn', bucket: 'bucket-a' });
  });
});
