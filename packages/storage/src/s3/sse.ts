import type { S3Config } from '@pulse/config';
import type { ServerSideEncryption } from '@aws-sdk/client-s3';

/** PutObject / CreateMultipartUpload parameters for the configured server-side encryption. */
export function sseParams(config: S3Config): { ServerSideEncryption?: ServerSideEncryption; SSEKMSKeyId?: string } {
  if (!config.sse) return {};
  return { ServerSideEncryption: config.sse.algorithm, SSEKMSKeyId: config.sse.kmsKeyId };
}

/** The same as request headers, for presigned PUTs (signed, and sent by the uploader). */
export function sseHeaders(config: S3Config): Record<string, string> {
  if (!config.sse) return {};
  const headers: Record<string, string> = { 'x-amz-server-side-encryption': config.sse.algorithm };
  if (config.sse.kmsKeyId) headers['x-amz-server-side-encryption-aws-kms-key-id'] = config.sse.kmsKeyId;
  return headers;
}
