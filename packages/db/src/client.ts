import { PrismaPg } from '@prisma/adapter-pg';
import type { DbConfig } from '@pulse/config';
import type { Logger } from '@pulse/logger';
import pg from 'pg';
import { PrismaClient } from './generated/prisma/client';

export interface CreateDbOptions {
  /** Receives `db_pool_error` warnings when an idle connection drops (database restart, failover). */
  logger?: Logger;
  /** Shown in pg_stat_activity, so an operator can tell which service holds a connection. */
  applicationName?: string;
}

export interface Db {
  /** Generated Prisma client running over `pool`. */
  prisma: PrismaClient;
  /** The same connections, for raw SQL, COPY streams and advisory locks. */
  pool: pg.Pool;
  /** Disconnects Prisma and ends the pool; safe to call twice. */
  close(): Promise<void>;
}

/** One pg pool per process, shared by Prisma and raw SQL, so `poolMax` is the real connection budget. */
export function createDb(config: DbConfig, options: CreateDbOptions = {}): Db {
  const pool = new pg.Pool({
    connectionString: config.url,
    max: config.poolMax,
    application_name: options.applicationName,
  });
  // Without a listener, an idle client's error (server restart, killed backend) is an uncaught 'error'
  // event and kills the process. pg already discards that client; the next query gets a fresh one.
  pool.on('error', (err) => options.logger?.warn({ event: 'db_pool_error', err }, 'idle database connection lost'));
  // The same for a checked-out client that is between queries (a COPY stream finished, an upload still
  // running, a transaction waiting on the app): the pool's listener doesn't cover it, so the error event
  // would be uncaught. The caller's next query on it fails, and pg-pool discards it on release.
  pool.on('connect', (client) => {
    client.on('error', (err) =>
      options.logger?.warn({ event: 'db_client_error', err }, 'database connection lost while checked out'),
    );
  });

  const prisma = new PrismaClient({ adapter: new PrismaPg(pool) });

  let closing: Promise<void> | undefined;
  return {
    prisma,
    pool,
    close() {
      closing ??= prisma.$disconnect().then(() => pool.end());
      return closing;
    },
  };
}
