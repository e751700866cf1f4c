import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { withAdvisoryLock } from '../src';
import { type OpenTestDb, openTestDb } from '../src/testing';

describe('withAdvisoryLock', () => {
  let t: OpenTestDb;
  beforeAll(async () => {
    t = await openTestDb('pulse_db_t');
  });
  afterAll(() => t.dispose());

  it('lets only one concurrent holder run, then releases the lock', async () => {
    let release!: () => void;
    const held = new Promise<void>((r) => {
      release = r;
    });
    let entered!: () => void;
    const inside = new Promise<void>((r) => {
      entered = r;
    });
    const first = withAdvisoryLock(t.db.pool, 'report:2026-10', async () => {
      entered();
      await held;
      return 'first';
    });
    await inside;
    const second = await withAdvisoryLock(t.db.pool, 'report:2026-10', async () => 'second');
    expect(second).toEqual({ acquired: false });
    // Another name is independent.
    await expect(withAdvisoryLock(t.db.pool, 'report:2026-11', async () => 'other')).resolves.toEqual({
      acquired: true,
      result: 'other',
    });
    release();
    await expect(first).resolves.toEqual({ acquired: true, result: 'first' });
    await expect(withAdvisoryLock(t.db.pool, 'report:2026-10', async () => 'third')).resolves.toEqual({
      acquired: true,
      result: 'third',
    });
  });

  it('unlocks when fn throws, and rethrows', async () => {
    await expect(
      withAdvisoryLock(t.db.pool, 'cleanup', async () => {
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    const { rows } = await t.db.pool.query(
      `SELECT count(*)::int AS n FROM pg_locks
       WHERE locktype = 'advisory' AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`,
    );
    expect(rows[0]).toEqual({ n: 0 });
    await expect(withAdvisoryLock(t.db.pool, 'cleanup', async () => 1)).resolves.toEqual({ acquired: true, result: 1 });
  });
});
