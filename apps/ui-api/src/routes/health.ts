import { readinessChecks } from '@pulse/infra';
import { runChecks } from '@pulse/runtime';
import { Router } from 'express';
import type { AppDeps } from '../deps';
import { liveness, notReady, readiness, storageSummary } from '../http/response-schemas';
import { route } from '../http/route';

/** Readiness budget per dependency: a hung dependency makes the probe fail, not hang. */
const CHECK_TIMEOUT_MS = 2000;

export function healthRoutes(deps: AppDeps): Router {
  const router = Router();
  const { config } = deps;
  const { s3, ...core } = readinessChecks(deps, Object.values(config.s3.buckets));
  // The checks every process runs; the API's /health/ready has always named the S3 one "storage".
  const checks = { ...core, storage: s3 };

  route(
    router,
    {
      method: 'get',
      path: '/health',
      operationId: 'getLiveness',
      tag: 'Operations',
      summary: 'Liveness: the process answers',
      auth: false,
      responses: { 200: { description: 'alive', schema: liveness } },
    },
    (_req, res, { reply }) => {
      res.setHeader('Cache-Control', 'no-store');
      reply(200, { status: 'ok' });
    },
  );

  route(
    router,
    {
      method: 'get',
      path: '/health/ready',
      operationId: 'getReadiness',
      tag: 'Operations',
      summary: 'Readiness: Postgres, NATS and storage answer (503 names what failed)',
      auth: false,
      responses: {
        200: { description: 'ready', schema: readiness },
        503: { description: 'a dependency failed', schema: notReady },
      },
    },
    async (_req, res, { reply }) => {
      const results = await runChecks(checks, CHECK_TIMEOUT_MS);
      const failed = Object.entries(results)
        .filter(([, ok]) => !ok)
        .map(([name]) => name);
      res.setHeader('Cache-Control', 'no-store');
      if (failed.length === 0) {
        reply(200, { status: 'ready', checks: results, failed });
        return;
      }
      deps.logger.warn({ event: 'not_ready', failed }, 'readiness check failed');
      reply(503, {
        status: 'unavailable',
        checks: results,
        failed,
        error: { code: 'not_ready', message: `not ready: ${failed.join(', ')}` },
      });
    },
  );

  route(
    router,
    {
      method: 'get',
      path: '/health/s3',
      operationId: 'getStorageHealth',
      tag: 'Operations',
      summary: 'Storage configuration (no credentials); a deep HeadBucket check with DEBUG or for admins',
      auth: false,
      responses: {
        200: { description: 'configuration (and deep check ok)', schema: storageSummary },
        503: { description: 'deep check failed', schema: storageSummary },
      },
    },
    async (req, res, { reply }) => {
      const s3 = config.s3;
      const host = (url: string | undefined) => (url ? new URL(url).host : null);
      const summary = {
        backend: s3.backend,
        endpoint: s3.backend === 's3' ? host(s3.endpoint) : null,
        publicEndpoint: s3.backend === 's3' ? host(s3.publicEndpoint) : host(s3.localPublicUrl),
        region: s3.region,
        forcePathStyle: s3.forcePathStyle,
        checksumMode: s3.checksumMode,
        presignExpirySec: s3.presignExpirySec,
        buckets: s3.buckets,
      };
      res.setHeader('Cache-Control', 'no-store');
      // A deep check costs a round trip per bucket: not for anonymous callers in production.
      if (!config.app.debug && req.user?.role !== 'admin') {
        reply(200, summary);
        return;
      }
      const deep = await deps.storage.health(Object.values(s3.buckets));
      reply(deep.ok ? 200 : 503, { ...summary, deep });
    },
  );

  route(
    router,
    {
      method: 'get',
      path: '/metrics',
      operationId: 'getMetrics',
      tag: 'Operations',
      summary: 'Prometheus metrics',
      auth: false,
      responses: { 200: { description: 'Prometheus text exposition', media: 'text/plain' } },
    },
    async (_req, res) => {
      res.setHeader('Content-Type', deps.metrics.contentType);
      res.send(await deps.metrics.metrics());
    },
  );

  return router;
}
