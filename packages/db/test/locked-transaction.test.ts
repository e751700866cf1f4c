import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import pg from 'pg';
import { isDatabaseUnavailable, lockedTransaction } from '../src';
import { type OpenTestDb, openTestDb } from '../src/testing';

const POOL_MAX = 3;

describe('lockedTransaction', () => {
  let t: OpenTestDb;
  let url: string;
  beforeAll(async () => {
    t = await openTestDb('pulse_db_t', POOL_MAX);
    url = (t.db.pool.options as { connectionString: string }).connectionString;
    await t.db.pool.query('CREATE TABLE burst (n int NOT NULL)');
  });
  afterAll(() => t.dispose());

  /** Holds the advisory lock `key` from another session (as another replica would) until released. */
  async function holdElsewhere(key: string): Promise<() => Promise<void>> {
    const other = new pg.Client({ connectionString: url });
    await other.connect();
    await other.query('SELECT pg_advisory_lock(hashtext($1))', [key]);
    return async () => {
      await other.query('SELECT pg_advisory_unlock(hashtext($1))', [key]);
      await other.end();
    };
  }

  it('queues a burst for one key in memory: the pool stays free for everyone else, and every call runs once', async () => {
    const release = await holdElsewhere('burst:alice');
    // Ten times the pool: with the lock taken inside the transaction alone, the first three would park
    // every connection on the lock and the rest would give up waiting for one (P2028).
    const burst = Array.from({ length: 10 * POOL_MAX }, (_, i) =>
      lockedTransaction(t.db, 'burst:alice', async (tx) => {
        await tx.$executeRaw`INSERT INTO burst (n) VALUES (${i})`;
        return i;
      }),
    );
    const settled = Promise.allSettled(burst);
    try {
      // While alice's burst waits on another replica's lock, other work of this process still gets
      // connections: a plain query, and a locked transaction on another key.
      const within = <T>(p: Promise<T>) =>
        Promise.race([p, new Promise<'starved'>((r) => setTimeout(() => r('starved'), 1500))]);
      await expect(within(t.db.pool.query('SELECT 1 AS one').then((r) => r.rows[0]))).resolves.toEqual({ one: 1 });
      await expect(within(lockedTransaction(t.db, 'burst:bob', async () => 'bob'))).resolves.toBe('bob');
      // Let the waiting outlast Prisma's 2 s wait for a connection, so a parked burst would have failed.
      await new Promise((r) => setTimeout(r, 2500));
      const { rows: waiting } = await t.db.pool.query<{ n: number }>(
        "SELECT count(*)::int AS n FROM pg_locks WHERE locktype = 'advisory' AND NOT granted",
      );
      expect(waiting[0]?.n).toBe(1);
    } finally {
      await release();
      await settled;
    }
    await expect(Promise.all(burst)).resolves.toEqual(burst.map((_, i) => i));
    const { rows } = await t.db.pool.query<{ n: number; distinct: number }>(
      'SELECT count(*)::int AS n, count(DISTINCT n)::int AS distinct FROM burst',
    );
    expect(rows[0]).toEqual({ n: 30, distinct: 30 });
  });

  it('runs same-key calls one at a time, and a failed one hands over to the next', async () => {
    let inside = 0;
    let most = 0;
    const results = await Promise.allSettled(
      Array.from({ length: 8 }, (_, i) =>
        lockedTransaction(t.db, 'serial', async () => {
          most = Math.max(most, ++inside);
          await new Promise((r) => setTimeout(r, 5));
          inside--;
          if (i === 2) throw new Error('boom');
          return i;
        }),
      ),
    );
    expect(most).toBe(1);
    expect(results.map((r) => r.status)).toEqual([
      'fulfilled',
      'fulfilled',
      'rejected',
      'fulfilled',
      'fulfilled',
      'fulfilled',
      'fulfilled',
      'fulfilled',
    ]);
  });

  it('counts a transaction that could not get a connection in time as "database unavailable"', async () => {
    const clients = await Promise.all(Array.from({ length: POOL_MAX }, () => t.db.pool.connect()));
    try {
      const err = await t.db.prisma.$transaction(async () => 1, { maxWait: 200 }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(Error);
      expect(isDatabaseUnavailable(err)).toBe(true);
    } finally {
      for (const c of clients) c.release();
    }
  });
});
