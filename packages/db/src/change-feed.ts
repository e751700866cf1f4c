import type { Logger } from '@pulse/logger';
import pg from 'pg';

/** The channel the `pulse_notify_change` trigger writes `table:id` to (see the change_notifications migration). */
export const CHANGE_CHANNEL = 'pulse_changes';

export interface Change {
  table: string;
  id: string;
}

export interface ChangeFeed {
  /** True while the feed is connected and listening: only then does it hear every committed change. */
  readonly live: boolean;
  /**
   * Moves on every change heard and every loss or regain of the connection. A cache that reads a row
   * and sees the same epoch before and after knows no change to anything slipped in between.
   */
  readonly epoch: number;
  /** `change` for a row, or `null` when changes may have been missed (connection lost or regained): forget everything. */
  subscribe(listener: (change: Change | null) => void): () => void;
  close(): Promise<void>;
}

export interface ChangeFeedOptions {
  connectionString: string;
  logger: Logger;
  /** How often the connection is checked, so a silently dead one is noticed (default 5 s). */
  heartbeatMs?: number;
  /** Pause before reconnecting after a loss (default 1 s). */
  retryMs?: number;
  applicationName?: string;
}

/**
 * LISTENs on a dedicated connection (a pooled one would be handed to other queries) and fans the
 * committed changes out to in-process caches. Losing the connection is safe: subscribers are told to
 * forget everything, `live` is false until LISTEN is back, and a heartbeat finds a connection that
 * died without a word. Starts in the background; the first `live` comes once LISTEN succeeds.
 */
export function startChangeFeed(options: ChangeFeedOptions): ChangeFeed {
  const heartbeatMs = options.heartbeatMs ?? 5_000;
  const retryMs = options.retryMs ?? 1_000;
  const listeners = new Set<(change: Change | null) => void>();
  let current: pg.Client | undefined;
  let live = false;
  let epoch = 0;
  let closed = false;
  let retry: NodeJS.Timeout | undefined;
  let heartbeat: NodeJS.Timeout | undefined;

  const tell = (change: Change | null) => {
    epoch++;
    for (const listener of listeners) listener(change);
  };

  /** The connection `client` is gone (error, end, failed heartbeat or LISTEN): forget, then reconnect. */
  const lost = (client: pg.Client, err?: unknown) => {
    if (current !== client) return;
    current = undefined;
    clearInterval(heartbeat);
    if (live) options.logger.warn({ event: 'change_feed_lost', err }, 'change feed lost; caches bypassed');
    live = false;
    tell(null);
    void client.end().catch(() => undefined);
    if (!closed) retry = setTimeout(connect, retryMs);
  };

  const connect = async () => {
    const client = new pg.Client({
      connectionString: options.connectionString,
      application_name: options.applicationName,
      keepAlive: true,
    });
    current = client;
    client.on('error', (err) => lost(client, err));
    client.on('end', () => lost(client));
    client.on('notification', (msg) => {
      if (current !== client || msg.channel !== CHANGE_CHANNEL || !msg.payload) return;
      const at = msg.payload.indexOf(':');
      tell({ table: msg.payload.slice(0, at), id: msg.payload.slice(at + 1) });
    });
    try {
      await client.connect();
      await client.query(`LISTEN ${CHANGE_CHANNEL}`);
    } catch (err) {
      lost(client, err);
      return;
    }
    if (current !== client) return;
    // Anything committed before LISTEN took effect was not heard: start from nothing.
    tell(null);
    live = true;
    options.logger.info({ event: 'change_feed_live' }, 'change feed listening');
    heartbeat = setInterval(() => {
      client
        .query({ text: 'SELECT 1', query_timeout: heartbeatMs } as pg.QueryConfig)
        .catch((err) => lost(client, err));
    }, heartbeatMs);
    heartbeat.unref();
  };
  void connect();

  return {
    get live() {
      return live;
    },
    get epoch() {
      return epoch;
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    async close() {
      closed = true;
      clearTimeout(retry);
      clearInterval(heartbeat);
      live = false;
      const client = current;
      current = undefined;
      await client?.end().catch(() => undefined);
    },
  };
}
