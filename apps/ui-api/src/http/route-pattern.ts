import type { Request } from 'express';

/**
 * The matched route's pattern (`/r/:token`), never the raw path: paths carry credentials (report and
 * unsubscribe tokens) that must not reach logs, and ids that would explode metric label cardinality.
 */
export const routePattern = (req: Request): string =>
  req.route?.path ? `${req.baseUrl}${String(req.route.path)}` : 'unmatched';
