import { runChecks } from '@pulse/runtime';
import { Router } from 'express';
import type { AppDeps } from '../deps';
import { route } from '../http/route';

/** Readiness budget per dependency: a hung dependency makes the probe fail, not hang. */
const CHECK_TIMEOUT_MS = 2000;

export function healthRoutes(deps: AppDeps): Router {
  const router = Router();
  const { config } = deps;
  const checks = {
    postgres: async () => (await deps.db.pool.query('SELECT 1')).rowCount === 1,
    nats: async () => deps.bus.isConnected(),
    storage: async () => (await deps.storage.health(Object.values(config.s3.buckets))).ok,
  };

  route(
    router,
    {
      method: 'get',
      path: '/health',
      summary: 'Liveness: the process answers',
      auth: false,
      responses: { 200: 'alive' },
    },
    (_req, res) => {
      res.setHeader('Cache-Control', 'no-store');
      res.json({ status: 'ok' });
    },
  );

  route(
    router,
    {
      method: 'get',
      path: '/health/ready',
      summary: 'Readiness: Postgres, NATS and storage answer (503 names what failed)',
      auth: false,
      responses: { 200: 'ready', 503: 'a dependency failed' },
    },
    async (_req, res) => {
      const results = await runChecks(checks, CHECK_TIMEOUT_MS);
      const failed = Object.entries(results)
        .filter(([, ok]) => !ok)
        .map(([name]) => name);
      res.setHeader('Cache-Control', 'no-store');
      if (failed.length === 0) {
        res.json({ status: 'ready', checks: results, failed });
        return;
      }
      deps.logger.warn({ event: 'not_ready', failed }, 'readiness check failed');
      res.status(503).json({
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
      summary: 'Storage configuration (no credentials); a deep HeadBucket check with DEBUG or for admins',
      auth: false,
      responses: { 200: 'configuration (and deep check ok)', 503: 'deep check failed' },
    },
    async (req, res) => {
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
        res.json(summary);
        return;
      }
      const deep = await deps.storage.health(Object.values(s3.buckets));
      res.status(deep.ok ? 200 : 503).json({ ...summary, deep });
    },
  );

  route(
    router,
    {
      method: 'get',
      path: '/metrics',
      summary: 'Prometheus metrics',
      auth: false,
      responses: { 200: 'text exposition' },
    },
    async (_req, res) => {
      res.setHeader('Content-Type', deps.metrics.contentType);
      res.send(await deps.metrics.metrics());
    },
  );

  return router;
}
