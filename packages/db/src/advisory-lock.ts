import type pg from 'pg';

export type AdvisoryLockResult<T> = { acquired: true; result: T } | { acquired: false };

const TRY_LOCK = 'SELECT pg_try_advisory_lock(hashtext($1)) AS locked';
const UNLOCK = 'SELECT pg_advisory_unlock(hashtext($1))';

/**
 * Runs `fn` only if no other session (any replica) holds the lock `name`; otherwise returns at once.
 * A session-level lock on a dedicated connection, so `fn` may run its own transactions on other
 * connections. Schedulers use it so that one replica fires per slot.
 */
export async function withAdvisoryLock<T>(
  pool: pg.Pool,
  name: string,
  fn: () => Promise<T>,
): Promise<AdvisoryLockResult<T>> {
  const client = await pool.connect();
  // A connection whose lock state is unknown is destroyed instead of returned to the pool:
  // ending the session is what releases a session-level lock for sure.
  let broken: Error | undefined;
  const markBroken = (err: unknown) => {
    broken = err instanceof Error ? err : new Error(String(err));
  };
  try {
    const { rows } = await client.query<{ locked: boolean }>(TRY_LOCK, [name]).catch((err: unknown) => {
      markBroken(err);
      throw err;
    });
    if (!rows[0]?.locked) return { acquired: false };
    try {
      return { acquired: true, result: await fn() };
    } finally {
      await client.query(UNLOCK, [name]).catch(markBroken);
    }
  } finally {
    client.release(broken);
  }
}
