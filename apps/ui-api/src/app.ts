import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Histogram } from '@pulse/runtime';
import { LOCAL_STORAGE_ROUTE } from '@pulse/storage';
import express, { type Express } from 'express';
import type { AppDeps, AppInput } from './deps';
import './http/context';
import { errorHandler } from './http/error-handler';
import { errors } from './http/errors';
import { routePattern } from './http/route-pattern';
import { createExportEventHub } from './exports/export-event-hub';
import { createFileCache } from './files/file-queries';
import { csrfGuard, loadSession, sessionCookieName } from './http/session';
import { createSessionCache } from './http/session-cache';
import { securityHeaders } from './http/security-headers';
import { sendLinkPage } from './reports/link-page';
import { routeModules } from './routes/index';

const PUBLIC_DIR = fileURLToPath(new URL('../public', import.meta.url));

export function createApp(input: AppInput): Express {
  const deps: AppDeps = {
    ...input,
    sessions: createSessionCache(input.changes),
    files: createFileCache(input.changes),
    exportEvents: createExportEventHub(input.bus),
  };
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', deps.config.http.trustProxy);
  app.set('etag', false);

  const httpDuration = new Histogram({
    name: 'pulse_http_request_duration_seconds',
    help: 'HTTP request latency by route and status',
    labelNames: ['method', 'route', 'status'],
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [deps.metrics],
  });

  app.use((req, res, next) => {
    const given = req.get('x-request-id');
    req.id = given && /^[A-Za-z0-9._-]{1,64}$/.test(given) ? given : randomUUID();
    res.setHeader('x-request-id', req.id);
    const end = httpDuration.startTimer({ method: req.method });
    res.on('finish', () => {
      const route = routePattern(req);
      const seconds = end({ route, status: String(res.statusCode) });
      // One access line per request; the pattern, not the path, which may hold a token.
      deps.logger.info(
        {
          event: 'http_request',
          reqId: req.id,
          method: req.method,
          route,
          status: res.statusCode,
          ms: Math.round(seconds * 10_000) / 10,
        },
        'request',
      );
    });
    next();
  });
  app.use(
    securityHeaders({
      contentSecurityPolicy: {
        directives: {
          'img-src': ["'self'", 'data:'],
          // Browser uploads PUT straight to the presigned storage URL.
          'connect-src': ["'self'", ...storageOrigin(deps)],
          'upgrade-insecure-requests': null,
        },
      },
      strictTransportSecurity: deps.config.app.production,
    }),
  );
  const json = express.json({ limit: '100kb' });
  // Local-backend uploads stream the raw body to disk, whatever its type (application/json included).
  // GET and HEAD carry no body: they skip the parser (downloads are the hot path).
  app.use((req, res, next) =>
    req.method === 'GET' || req.method === 'HEAD' || req.path.startsWith(LOCAL_STORAGE_ROUTE)
      ? next()
      : json(req, res, next),
  );
  app.use(
    loadSession({
      ...deps,
      cookieName: sessionCookieName(deps.config.app.cookieSecure),
    }),
  );
  app.use('/api', csrfGuard);

  for (const mount of routeModules) app.use(mount(deps));

  // /metrics and the readiness detail live on the ops listener (ops-routes.ts); here they are unknown.
  app.use(['/api', '/health', '/metrics'], (_req, _res, next) => next(errors.notFound('route')));
  app.use(express.static(PUBLIC_DIR, { index: 'index.html', maxAge: 0 }));
  // The UI is a single page: unknown non-API paths get the shell, which routes on the client.
  app.get(/^\/(?!api\/|r\/|u\/).*/, (_req, res) => res.sendFile(path.join(PUBLIC_DIR, 'index.html')));
  app.use(errorHandler(deps.logger, { routes: ['/r/:token', '/u/:token'], page: sendLinkPage }));
  return app;
}

function storageOrigin(deps: AppDeps): string[] {
  const origin = deps.storage.browserOrigin(deps.config.s3.buckets.artifacts);
  return origin ? [origin] : [];
}
