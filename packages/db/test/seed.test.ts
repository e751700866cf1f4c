import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { seedDemo } from '../src';
import { type OpenTestDb, openTestDb } from '../src/testing';

describe('seedDemo', () => {
  let t: OpenTestDb;
  beforeAll(async () => {
    t = await openTestDb('pulse_db_t');
  });
  afterAll(() => t.dispose());

  const counts = async () => ({
    users: await t.db.prisma.user.count(),
    devices: await t.db.prisma.device.count(),
    follows: await t.db.prisma.deviceFollow.count(),
    telemetry: await t.db.prisma.telemetry.count(),
  });

  it('is idempotent: a second run changes no counts', async () => {
    const now = new Date('2026-11-15T00:00:00Z');
    const first = await seedDemo(t.db, { telemetryRows: 3600, now });
    expect(first).toMatchObject({ users: 4, devices: 6, telemetryInserted: 3600 });
    const after = await counts();
    expect(after).toEqual({ users: 4, devices: 6, follows: first.follows, telemetry: 3600 });

    const second = await seedDemo(t.db, { telemetryRows: 3600, now });
    expect(second.telemetryInserted).toBe(0);
    expect(await counts()).toEqual(after);
  });

  it('makes the demo users, including a non-ASCII name', async () => {
    const users = await t.db.prisma.user.findMany({ orderBy: { email: 'asc' } });
    expect(users.map((u) => [u.email, u.role])).toEqual([
      ['alice@pulse.local', 'user'],
      ['bob@pulse.local', 'user'],
      ['demo@pulse.local', 'admin'],
      ['zoe@pulse.local', 'user'],
    ]);
    expect(users.find((u) => u.email === 'demo@pulse.local')?.name).toBe('Demo Operator');
    expect(users.find((u) => u.email === 'zoe@pulse.local')?.name).toBe('Zoë Ångström');
  });

  it('spreads telemetry over every device and metric across the 60 days before now', async () => {
    const { rows } = await t.db.pool.query<{ pairs: number; min: Date; max: Date; months: number }>(
      `SELECT count(DISTINCT (device_id, metric))::int AS pairs, min(ts) AS min, max(ts) AS max,
              count(DISTINCT date_trunc('month', ts))::int AS months FROM telemetry`,
    );
    expect(rows[0]).toEqual({
      pairs: 18,
      min: expect.any(Date),
      max: expect.any(Date),
      months: 3,
    });
    const { min, max } = rows[0]!;
    expect(max.getTime()).toBeLessThanOrEqual(Date.parse('2026-11-15T00:00:00Z'));
    expect(max.getTime()).toBeGreaterThan(Date.parse('2026-11-14T00:00:00Z'));
    expect(min.getTime()).toBeGreaterThanOrEqual(Date.parse('2026-09-16T00:00:00Z'));
  });
});
