import type { Db } from './client';
import type { Prisma } from './generated/prisma/client';

// Per Prisma client (one per process in the apps): the tail of each key's in-process queue.
const queues = new WeakMap<Db['prisma'], Map<string, Promise<void>>>();

/**
 * Runs `work` in one transaction that holds the advisory lock `key` until it commits, so callers with the
 * same key — on any replica — run one at a time: a check-then-insert (a cap, a quota, a rate limit) can't
 * be overshot by a burst.
 *
 * Callers in this process with the same key wait their turn here, in memory, *before* they take a pool
 * connection. Taking the lock inside the transaction alone would park one connection per waiting request:
 * a burst of 20 requests from one user then holds every connection of a pool of 10, blocked on that
 * user's lock, and every other request of the process times out waiting for a connection (Prisma's
 * "Unable to start a transaction in the given time"). Now a key holds at most one connection per process.
 */
export async function lockedTransaction<T>(
  db: Db,
  key: string,
  work: (tx: Prisma.TransactionClient) => Promise<T>,
): Promise<T> {
  let tails = queues.get(db.prisma);
  if (!tails) {
    tails = new Map();
    queues.set(db.prisma, tails);
  }
  const before = tails.get(key);
  let done!: () => void;
  const mine = new Promise<void>((resolve) => {
    done = resolve;
  });
  tails.set(key, mine);
  // Every queued promise resolves (never rejects): a failed turn still hands over to the next.
  if (before) await before;
  try {
    return await db.prisma.$transaction(async (tx) => {
      await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext(${key}))`;
      return work(tx);
    });
  } finally {
    if (tails.get(key) === mine) tails.delete(key);
    done();
  }
}
