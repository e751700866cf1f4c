import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from '@pulse/logger';
import type { Registry } from 'prom-client';

/** A readiness check: resolves true when the dependency works; throwing counts as not ready. */
export type ReadinessCheck = () => Promise<boolean>;

export interface OpsServerOptions {
  host: string;
  port: number;
  logger: Logger;
  registry: Registry;
  checks: Record<string, ReadinessCheck>;
  /** Per-check timeout, so one hung dependency can't hang the probe. */
  checkTimeoutMs?: number;
}

export async function runChecks(
  checks: Record<string, ReadinessCheck>,
  timeoutMs = 2000,
): Promise<Record<string, boolean>> {
  const entries = await Promise.all(
    Object.entries(checks).map(async ([name, check]) => {
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<boolean>((resolve) => {
        timer = setTimeout(() => resolve(false), timeoutMs);
      });
      const ok = await Promise.race([check().catch(() => false), timeout]);
      clearTimeout(timer);
      return [name, ok] as const;
    }),
  );
  return Object.fromEntries(entries);
}

/** Workers' side door for orchestrators and Prometheus: /health, /health/ready, /metrics. */
export async function startOpsServer(options: OpsServerOptions): Promise<{ port: number; close(): Promise<void> }> {
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    const send = (status: number, body: unknown, type = 'application/json') => {
      res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store' });
      res.end(typeof body === 'string' ? body : JSON.stringify(body));
    };
    if (req.method !== 'GET') return send(405, { error: { code: 'method_not_allowed', message: 'GET only' } });
    if (path === '/health') return send(200, { status: 'ok' });
    if (path === '/health/ready') {
      runChecks(options.checks, options.checkTimeoutMs).then((results) => {
        const failed = Object.entries(results)
          .filter(([, ok]) => !ok)
          .map(([name]) => name);
        send(failed.length ? 503 : 200, { status: failed.length ? 'unavailable' : 'ready', checks: results, failed });
      });
      return;
    }
    if (path === '/metrics') {
      options.registry.metrics().then((text) => send(200, text, options.registry.contentType));
      return;
    }
    send(404, { error: { code: 'not_found', message: 'no such route' } });
  });
  await new Promise<void>((resolve) => server.listen(options.port, options.host, resolve));
  const { port } = server.address() as AddressInfo;
  options.logger.info({ event: 'ops_listening', port }, 'ops endpoints listening');
  return {
    port,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
