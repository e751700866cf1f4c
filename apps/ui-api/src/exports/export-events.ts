import type { Request, Response } from 'express';
import { sessionValidUntil } from '../auth/sessions';
import type { AppDeps } from '../deps';
import type { AuthUser } from '../http/context';
import { errors } from '../http/errors';

const HEARTBEAT_MS = 15_000;
/** setTimeout's longest delay (~24.8 days); a later expiry is re-armed by the heartbeat's checks. */
const MAX_TIMER_MS = 2 ** 31 - 1;

type StreamDeps = Pick<AppDeps, 'db' | 'changes' | 'exportEvents' | 'config' | 'logger' | 'now'>;

/**
 * Server-sent events with this user's export progress, fanned out from the bus. Postgres stays the
 * record: a client that misses events (reconnect, another replica) re-reads the list.
 *
 * A stream lives no longer than the session that opened it: it ends at the session's expiry, and as
 * soon as the change feed reports the session (or its user) changed and a re-read finds it revoked
 * — a logout or revocation on any replica. A user may hold EXPORT_EVENTS_MAX_PER_USER streams per
 * process (a tab each); more is a 429.
 */
export async function streamExportEvents(deps: StreamDeps, req: Request, res: Response, user: AuthUser): Promise<void> {
  if (deps.exportEvents.count(user.id) >= deps.config.app.exports.maxEventStreamsPerUser) {
    throw errors.tooManyRequests('too many progress streams open; close another tab', 5);
  }
  const validUntil = await sessionValidUntil(deps.db, user.sessionId, deps.now());
  if (!validUntil) throw errors.unauthorized();

  res.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-store',
    connection: 'keep-alive',
    // Proxies such as nginx would otherwise buffer the stream.
    'x-accel-buffering': 'no',
  });
  res.write('retry: 3000\n\n');

  let closed = false;
  const stopEvents = deps.exportEvents.add(user.id, (event, data) => {
    res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
  });
  const close = (reason: string) => {
    if (closed) return;
    closed = true;
    clearInterval(heartbeat);
    clearTimeout(expiry);
    stopWatching();
    stopEvents();
    if (reason !== 'client_closed') {
      deps.logger.info({ event: 'export_events_closed', userId: user.id, reason }, 'progress stream closed');
      // Tells the page why, then ends the response (EventSource reconnects and gets its 401).
      res.end(`event: session-ended\ndata: {}\n\n`);
    }
  };
  const recheck = async () => {
    try {
      if (!closed && !(await sessionValidUntil(deps.db, user.sessionId, deps.now()))) close('session_ended');
    } catch (err) {
      deps.logger.warn({ event: 'export_events_recheck_failed', err }, 'could not re-check the session');
    }
  };
  const rows = new Set([`auth_sessions:${user.sessionId}`, `users:${user.id}`]);
  // `null`: changes may have been missed (feed lost or regained), so look again.
  const stopWatching = deps.changes.subscribe((change) => {
    if (!change || rows.has(`${change.table}:${change.id}`)) void recheck();
  });
  const expiry = setTimeout(
    () => close('session_expired'),
    Math.min(MAX_TIMER_MS, Math.max(0, validUntil.getTime() - deps.now().getTime())),
  );
  // A comment line keeps idle connections from being closed by proxies and load balancers; while the
  // feed is down, the beat is also when the session is looked at again.
  const heartbeat = setInterval(() => {
    res.write(': keep-alive\n\n');
    if (!deps.changes.live) void recheck();
  }, HEARTBEAT_MS);
  req.on('close', () => close('client_closed'));
}
