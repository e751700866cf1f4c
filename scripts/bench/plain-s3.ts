// Kept apart from ./lib so that the export benchmark's measured child process loads nothing else.
import { S3Client } from '@aws-sdk/client-s3';
import type { S3Config } from '@pulse/config';

/**
 * The baselines' S3 client: the bare SDK as any service would use it against this S3, nothing in
 * between, with checksums as the apps send them (RGW refuses the SDK's default CRC32 trailers).
 */
export function plainS3Client(s3: S3Config): S3Client {
  return new S3Client({
    endpoint: s3.endpoint,
    region: s3.region,
    forcePathStyle: s3.forcePathStyle,
    credentials: s3.credentials,
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
}
