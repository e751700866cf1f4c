import { isDatabaseUnavailable } from '@pulse/db';
import type { Logger } from '@pulse/logger';
import { isStorageError } from '@pulse/storage';
import type { NextFunction, Request, Response } from 'express';
import { errors, HttpError } from './errors';
import { routePattern } from './route-pattern';

/** Routes opened from an email in a browser: a failure there gets a readable page, not JSON. */
export type HtmlErrorPage = (res: Response, status: number, title: string, message: string) => void;

/**
 * Maps anything thrown to `{error: {code, message}}` (or, on `htmlRoutes`, to a page); internals are
 * logged, never sent. Logged with the route pattern: the raw path may be a 30-day link token.
 */
export function errorHandler(logger: Logger, html?: { routes: string[]; page: HtmlErrorPage }) {
  return (err: unknown, req: Request, res: Response, _next: NextFunction) => {
    const httpError = toHttpError(err);
    const route = routePattern(req);
    if (httpError.status >= 500) {
      logger.error({ event: 'http_error', err: httpError.cause ?? err, reqId: req.id, route }, 'request failed');
    }
    if (res.headersSent) return;
    const retryAfter = (httpError.details as { retryAfterSec?: number } | undefined)?.retryAfterSec;
    if (retryAfter) res.setHeader('Retry-After', String(retryAfter));
    if (html?.routes.includes(route)) {
      const unavailable = httpError.status === 503;
      html.page(
        res,
        httpError.status,
        unavailable ? 'Please try again in a few minutes' : 'Something went wrong',
        unavailable
          ? 'Pulse cannot reach its storage or database right now. The link will work again shortly.'
          : 'This link could not be opened. Please try again later.',
      );
      return;
    }
    res.status(httpError.status).json({
      error: {
        code: httpError.code,
        message: httpError.message,
        ...(httpError.status === 400 && httpError.details ? { details: httpError.details } : {}),
      },
    });
  };
}

function toHttpError(err: unknown): HttpError {
  if (err instanceof HttpError) return err;
  // body-parser / express errors carry a status and a type; keep them 4xx with our shape.
  const e = err as { status?: number; type?: string; expose?: boolean };
  if (e?.type === 'entity.parse.failed') return errors.badRequest('invalid_json', 'request body is not valid JSON');
  if (e?.type === 'entity.too.large') return errors.payloadTooLarge('request body is too large');
  if (e?.type === 'encoding.unsupported' || e?.type === 'charset.unsupported') {
    return errors.unsupportedMediaType('unsupported request encoding');
  }
  // Storage outages are the client's "try again later", not a bug on our side.
  if (isStorageError(err) && err.retryable) {
    return errors.unavailable('storage_unavailable', 'storage is not available right now; try again', err);
  }
  // So is a dropped or unreachable database connection (failover, restart, pg_terminate_backend).
  if (isDatabaseUnavailable(err)) {
    return errors.unavailable('database_unavailable', 'the database is not available right now; try again', err);
  }
  if (typeof e?.status === 'number' && e.status >= 400 && e.status < 500) {
    return new HttpError(e.status, 'bad_request', 'the request could not be processed');
  }
  return errors.internal(err);
}
