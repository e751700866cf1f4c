import { S3Client, type S3ClientConfig } from '@aws-sdk/client-s3';
import type { S3Config } from '@pulse/config';
import { Sha256 } from '@smithy/core/checksum';
import { SignatureV4 } from '@smithy/signature-v4';
import { type CredentialSource, credentialProvider } from './credentials';

export interface S3Clients {
  /** Single attempt per call: our own retry policy (StorageError.retryable + backoff) wraps it. */
  s3: S3Client;
  /**
   * For lib-storage's Upload only: it has no retry hook, and its parts are buffered in memory, so the
   * SDK's own retries can safely resend a failed part.
   */
  upload: S3Client;
  /**
   * The SDK's own SigV4 signer for presigned URLs, fed by the same credential provider as the clients:
   * called directly it costs ~30 µs a URL (it caches the day's signing key), the SDK's presigner, which
   * runs a whole middleware stack per URL, ~0.5-1 ms.
   */
  signer: SignatureV4;
  /** Where the credentials come from, for health output (never the credentials themselves). */
  credentialSource: CredentialSource;
  destroy(): void;
}

/** Socket inactivity limit for every request. */
const REQUEST_TIMEOUT_MS = 120_000;

type ChecksumMode = 'WHEN_REQUIRED' | 'WHEN_SUPPORTED';

function clientConfig(config: S3Config, credentials: S3ClientConfig['credentials']): S3ClientConfig {
  const checksum: ChecksumMode = config.checksumMode === 'when_supported' ? 'WHEN_SUPPORTED' : 'WHEN_REQUIRED';
  return {
    // Undefined endpoint: the SDK's endpoint rules for the region (virtual-hosted on AWS).
    endpoint: config.endpoint,
    region: config.region,
    forcePathStyle: config.forcePathStyle,
    credentials,
    // SDK >= 3.729 adds CRC32 trailers by default, which many S3-compatible servers reject (411 on RGW).
    requestChecksumCalculation: checksum,
    responseChecksumValidation: checksum,
    // throwOnRequestTimeout: without it the SDK only logs a warning and a stalled request (seen when a
    // streaming upload's source died mid-part) hangs the caller forever.
    requestHandler: { connectionTimeout: 5_000, requestTimeout: REQUEST_TIMEOUT_MS, throwOnRequestTimeout: true },
  };
}

export function createS3Clients(config: S3Config): S3Clients {
  const { provider, source } = credentialProvider(config);
  const s3 = new S3Client({ ...clientConfig(config, provider), maxAttempts: 1 });
  const upload = new S3Client({ ...clientConfig(config, provider), maxAttempts: config.retry.attempts });
  const signer = new SignatureV4({
    credentials: provider,
    region: config.region,
    service: 's3',
    sha256: Sha256,
    // S3 signs the path as sent (keys are encoded once), unlike other AWS services.
    uriEscapePath: false,
    applyChecksum: false,
  });
  return {
    s3,
    upload,
    signer,
    credentialSource: source,
    destroy() {
      s3.destroy();
      upload.destroy();
    },
  };
}
