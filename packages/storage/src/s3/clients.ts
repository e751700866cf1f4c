import http from 'node:http';
import https from 'node:https';
import { S3Client, type S3ClientConfig } from '@aws-sdk/client-s3';
import type { S3Config } from '@pulse/config';

export interface S3Clients {
  /** Single attempt per call: our own retry policy (StorageError.retryable + backoff) wraps it. */
  s3: S3Client;
  /**
   * For lib-storage's Upload only: it has no retry hook, and its parts are buffered in memory, so the
   * SDK's own retries can safely resend a failed part.
   */
  upload: S3Client;
  /** Signs URLs for browsers: the public endpoint, never the internal host. */
  presign: S3Client;
  /** Keep-alive connections for the lean buffer PUT (./sigv4-put), which bypasses the SDK. */
  agents: { http: http.Agent; https: https.Agent };
  destroy(): void;
}

/** Socket inactivity limit for every request, SDK or lean. */
export const REQUEST_TIMEOUT_MS = 120_000;

type ChecksumMode = 'WHEN_REQUIRED' | 'WHEN_SUPPORTED';

function base(config: S3Config, endpoint: string, checksum: ChecksumMode): S3ClientConfig {
  return {
    endpoint,
    region: config.region,
    forcePathStyle: config.forcePathStyle,
    credentials: { accessKeyId: config.accessKeyId, secretAccessKey: config.secretAccessKey },
    // SDK >= 3.729 adds CRC32 trailers by default, which many S3-compatible servers reject (411 on RGW).
    requestChecksumCalculation: checksum,
    responseChecksumValidation: checksum,
    // throwOnRequestTimeout: without it the SDK only logs a warning and a stalled request (seen when a
    // streaming upload's source died mid-part) hangs the caller forever.
    requestHandler: { connectionTimeout: 5_000, requestTimeout: REQUEST_TIMEOUT_MS, throwOnRequestTimeout: true },
  };
}

export function createS3Clients(config: S3Config): S3Clients {
  const checksum: ChecksumMode = config.checksumMode === 'when_supported' ? 'WHEN_SUPPORTED' : 'WHEN_REQUIRED';
  const s3 = new S3Client({ ...base(config, config.endpoint, checksum), maxAttempts: 1 });
  const upload = new S3Client({ ...base(config, config.endpoint, checksum), maxAttempts: config.retry.attempts });
  // Always WHEN_REQUIRED here, whatever the config: with WHEN_SUPPORTED a presigned PUT would carry
  // the checksum of an empty body, and every real upload through that URL would then be rejected.
  const presign = new S3Client({ ...base(config, config.publicEndpoint, 'WHEN_REQUIRED'), maxAttempts: 1 });
  // The SDK's default is 50 sockets per host; the lean PUT gets the same.
  const agents = {
    http: new http.Agent({ keepAlive: true, maxSockets: 50 }),
    https: new https.Agent({ keepAlive: true, maxSockets: 50 }),
  };
  return {
    s3,
    upload,
    presign,
    agents,
    destroy() {
      s3.destroy();
      upload.destroy();
      presign.destroy();
      agents.http.destroy();
      agents.https.destroy();
    },
  };
}
