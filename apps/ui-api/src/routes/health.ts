import { Router } from 'express';
import type { AppDeps } from '../deps';
import { liveness, notReady, readiness, storageStatus } from '../http/response-schemas';
import { route } from '../http/route';

/**
 * The public listener's probes, for load balancers and the UI: answers from the shared readiness
 * verdict (at most one set of checks every few seconds, however many probes arrive) and no internal
 * names. Metrics and the detail (endpoints, buckets) are on the ops listener (ops-routes.ts).
 */
export function healthRoutes(deps: AppDeps): Router {
  const router = Router();

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
      summary: 'Readiness: Postgres, NATS and storage answer (503 names what failed; checked at most every 3 s)',
      auth: false,
      responses: {
        200: { description: 'ready', schema: readiness },
        503: { description: 'a dependency failed', schema: notReady },
      },
    },
    async (_req, res, { reply }) => {
      const { ready, checks, failed } = await deps.readiness.report();
      res.setHeader('Cache-Control', 'no-store');
      if (ready) {
        reply(200, { status: 'ready', checks, failed });
        return;
      }
      deps.logger.warn({ event: 'not_ready', failed }, 'readiness check failed');
      reply(503, {
        status: 'unavailable',
        checks,
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
      summary: 'Storage answers (the detail — endpoint, buckets — is on the ops listener)',
      auth: false,
      responses: {
        200: { description: 'storage answers', schema: storageStatus },
        503: { description: 'storage does not answer', schema: storageStatus },
      },
    },
    async (_req, res, { reply }) => {
      const ok = (await deps.readiness.report()).checks.storage === true;
      res.setHeader('Cache-Control', 'no-store');
      reply(ok ? 200 : 503, { ok, backend: deps.config.s3.backend });
    },
  );

  return router;
}
