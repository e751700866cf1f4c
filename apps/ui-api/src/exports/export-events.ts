import type { Request, Response } from 'express';
import type { AppDeps } from '../deps';

const HEARTBEAT_MS = 15_000;

/**
 * Server-sent events with this user's export progress, fanned out from the bus. Postgres stays the
 * record: a client that misses events (reconnect, another replica) re-reads the list.
 */
export function streamExportEvents(deps: Pick<AppDeps, 'bus'>, req: Request, res: Response, userId: string): void {
  res.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-store',
    connection: 'keep-alive',
    // Proxies such as nginx would otherwise buffer the stream.
    'x-accel-buffering': 'no',
  });
  res.write('retry: 3000\n\n');
  const send = (event: string, data: { userId: string }) => {
    if (data.userId !== userId) return;
    const { userId: _owner, ...rest } = data;
    res.write(`event: ${event}\ndata: ${JSON.stringify(rest)}\n\n`);
  };
  const subscriptions = [
    deps.bus.subscribe('export.progress', (e) => send('progress', e)),
    deps.bus.subscribe('export.completed', (e) => send('completed', e)),
  ];
  // A comment line keeps idle connections from being closed by proxies and load balancers.
  const heartbeat = setInterval(() => res.write(': keep-alive\n\n'), HEARTBEAT_MS);
  req.on('close', () => {
    clearInterval(heartbeat);
    for (const s of subscriptions) s.unsubscribe();
  });
}
