import type { S3Client } from '@aws-sdk/client-s3';
import { extendedEncodeURIComponent } from '@smithy/core/protocols';

export interface ObjectLocation {
  protocol: string;
  hostname: string;
  port?: number;
  /** URI-encoded once, as S3 signs it. */
  path: string;
}

interface BucketBase {
  protocol: string;
  hostname: string;
  port?: number;
  basePath: string;
}

/**
 * Where an object lives as seen from `endpoint` (or AWS's endpoint for the region when undefined),
 * resolved by the client's own endpoint rules (virtual-hosted or path style, AWS partitions), never
 * by string concatenation of ours. Resolution needs no network; one result per bucket is kept.
 */
export function objectLocator(
  client: S3Client,
  options: { endpoint: string | undefined; region: string; forcePathStyle: boolean },
): (bucket: string, key: string) => ObjectLocation {
  const bases = new Map<string, BucketBase>();
  const resolve = (bucket: string): BucketBase => {
    const { url } = client.config.endpointProvider({
      Bucket: bucket,
      Region: options.region,
      Endpoint: options.endpoint,
      ForcePathStyle: options.forcePathStyle,
      UseFIPS: false,
      UseDualStack: false,
      Accelerate: false,
    });
    return {
      protocol: url.protocol,
      hostname: url.hostname,
      port: url.port ? Number(url.port) : undefined,
      basePath: url.pathname.replace(/\/+$/, ''),
    };
  };
  return (bucket, key) => {
    let base = bases.get(bucket);
    if (!base) {
      base = resolve(bucket);
      if (bases.size > 64) bases.clear();
      bases.set(bucket, base);
    }
    const keyPath = key.split('/').map(extendedEncodeURIComponent).join('/');
    return { protocol: base.protocol, hostname: base.hostname, port: base.port, path: `${base.basePath}/${keyPath}` };
  };
}
