import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from '@pulse/logger';
import type { Registry } from 'prom-client';
import type { ReadinessProbe } from './readiness';

/** An extra GET route of the ops listener: its status and JSON body. */
export type OpsRoute = () => Promise<{ status: number; body: unknown }>;

export interface OpsServerOptions {
  host: string;
  port: number;
  logger: Logger;
  registry: Registry;
  readiness: ReadinessProbe;
  /** GET routes besides /health, /health/ready and /metrics (ui-api: the detailed /health/s3). */
  routes?: Record<string, OpsRoute>;
}

/**
 * The side door for orchestrators and Prometheus, on a port that is not published: /health,
 * /health/ready with every check's detail (hosts, bucket names), /metrics, and the caller's routes.
 * Every process has one; ui-api's public listener answers only a summary of readiness.
 */
export async function startOpsServer(options: OpsServerOptions): Promise<{ port: number; close(): Promise<void> }> {
  const routes: Record<string, OpsRoute> = {
    ...options.routes,
    '/health': async () => ({ status: 200, body: { status: 'ok' } }),
    '/health/ready': async () => {
      const { ready, checks, failed, detail } = await options.readiness.report();
      return { status: ready ? 200 : 503, body: { status: ready ? 'ready' : 'unavailable', checks, failed, detail } };
    },
  };
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0]!;
    const send = (status: number, body: unknown, type = 'application/json') => {
      res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store' });
      res.end(typeof body === 'string' ? body : JSON.stringify(body));
    };
    const failed = (err: unknown) => {
      options.logger.error({ event: 'ops_request_error', path, err }, 'ops endpoint failed');
      send(500, { error: { code: 'internal', message: 'ops endpoint failed' } });
    };
    if (req.method !== 'GET') return send(405, { error: { code: 'method_not_allowed', message: 'GET only' } });
    if (path === '/metrics') {
      options.registry.metrics().then((text) => send(200, text, options.registry.contentType), failed);
      return;
    }
    const route = Object.hasOwn(routes, path) ? routes[path] : undefined;
    if (!route) return send(404, { error: { code: 'not_found', message: 'no such route' } });
    route().then(({ status, body }) => send(status, body), failed);
  });
  await new Promise<void>((resolve) => server.listen(options.port, options.host, resolve));
  const { port } = server.address() as AddressInfo;
  options.logger.info({ event: 'ops_listening', port }, 'ops endpoints listening');
  return {
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        // Keep-alive scrapers would otherwise hold close() open until the stop deadline.
        server.closeIdleConnections();
      }),
  };
}
