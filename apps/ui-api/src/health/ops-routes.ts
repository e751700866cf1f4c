import type { OpsRoute } from '@pulse/runtime';
import type { UiApiConfig } from '../config';
import type { ApiReadiness } from './readiness';

/**
 * ui-api's routes on the ops listener besides /health, /health/ready and /metrics: the storage
 * configuration with its buckets and endpoints, which the public listener keeps to `{ok, backend}`.
 */
export function opsRoutes(deps: {
  config: Pick<UiApiConfig, 's3'>;
  readiness: ApiReadiness;
}): Record<string, OpsRoute> {
  const s3 = deps.config.s3;
  const host = (url: string | undefined) => (url ? new URL(url).host : null);
  return {
    '/health/s3': async () => {
      const report = await deps.readiness.report();
      const ok = report.checks.storage === true;
      const health = report.detail.storage;
      const body = {
        ok,
        backend: s3.backend,
        endpoint: s3.backend === 's3' ? host(s3.endpoint) : null,
        publicEndpoint: s3.backend === 's3' ? host(s3.publicEndpoint) : host(s3.localPublicUrl),
        region: s3.region,
        forcePathStyle: s3.forcePathStyle,
        checksumMode: s3.checksumMode,
        presignExpirySec: s3.presignExpirySec,
        buckets: Object.fromEntries(
          Object.entries(s3.buckets).map(([role, name]) => [role, { name, ok: health?.buckets[name] === true }]),
        ),
        credentials: health?.detail?.credentials ?? null,
        encryption: health?.detail?.encryption ?? null,
        latencyMs: health?.latencyMs ?? null,
        error: ok ? null : (health?.error ?? 'no answer within the readiness budget'),
      };
      return { status: ok ? 200 : 503, body };
    },
  };
}
