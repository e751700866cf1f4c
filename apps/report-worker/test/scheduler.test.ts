import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { type SlotResult, startReportScheduler } from '../src/scheduling/scheduler';
import { previousPeriod } from '../src/period';
import { type ReportFixture, type SeededFollower, seedReportWorld, startReportFixture } from './fixture';

let fx: ReportFixture;
let followers: SeededFollower[];

beforeAll(async () => {
  fx = await startReportFixture();
  followers = await seedReportWorld(fx.db);
});
afterAll(async () => {
  await fx?.close();
});

const outboxFor = (period: string) =>
  fx.db.prisma.outboxEvent.findMany({
    where: { subject: 'report.requested', msgId: { startsWith: `report:${period}:` } },
  });

describe('report scheduler', () => {
  it('fires once per period with two instances on the same cron, slot after slot', async () => {
    const results: SlotResult[][] = [[], []];
    // Every second: two instances get several slots each for the same (previous) month within the test.
    const schedulers = results.map((sink) =>
      startReportScheduler({
        db: fx.db,
        logger: fx.logger,
        cron: '* * * * * *',
        timeZone: 'UTC',
        onFired: (r) => sink.push(r),
      }),
    );
    try {
      const deadline = Date.now() + 15_000;
      while (results.some((r) => r.length < 3) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    } finally {
      for (const s of schedulers) s.stop();
    }
    expect(results.every((r) => r.length >= 3)).toBe(true);

    const period = previousPeriod(new Date(), 'UTC');
    const all = results.flat().filter((r) => r.period === period);
    const requested = all.reduce((n, r) => n + (r.fired ? r.requested : 0), 0);
    expect(requested).toBe(followers.length);

    const rows = await outboxFor(period);
    expect(rows.map((r) => r.msgId).sort()).toEqual(followers.map((f) => `report:${period}:${f.id}`).sort());
    expect(rows.map((r) => r.payload)).toEqual(
      expect.arrayContaining(followers.map((f) => ({ period, followerId: f.id }))),
    );
    expect(await fx.db.prisma.reportDelivery.count({ where: { reportPeriod: period, status: 'pending' } })).toBe(
      followers.length,
    );
  });

  it('lets only one of two concurrent fires of the same slot hold the lock', async () => {
    const a = startReportScheduler({ db: fx.db, logger: fx.logger, cron: '0 2 1 * *', timeZone: 'UTC' });
    const b = startReportScheduler({ db: fx.db, logger: fx.logger, cron: '0 2 1 * *', timeZone: 'UTC' });
    try {
      const at = new Date('2026-03-01T02:00:00Z');
      const results = await Promise.all([a.fire(at), b.fire(at), a.fire(at), b.fire(at)]);
      const requested = results.reduce((n, r) => n + (r.fired ? r.requested : 0), 0);
      expect(requested).toBe(followers.length);
      expect(results.every((r) => r.period === '2026-02')).toBe(true);
      expect(await outboxFor('2026-02')).toHaveLength(followers.length);
    } finally {
      a.stop();
      b.stop();
    }
  });

  it('catches up a slot missed while no replica ran, within the grace window only', async () => {
    const s = startReportScheduler({
      db: fx.db,
      logger: fx.logger,
      cron: '0 2 1 * *',
      timeZone: 'UTC',
      catchUpMs: 72 * 3_600_000,
    });
    try {
      // 2026-01-01 02:00 is the latest slot: 94 h before this start, beyond the window.
      await expect(s.catchUp(new Date('2026-01-05T00:00:00Z'))).resolves.toBeNull();
      expect(await outboxFor('2025-12')).toHaveLength(0);
      await expect(s.catchUp(new Date('2026-01-02T10:00:00Z'))).resolves.toEqual({
        period: '2025-12',
        fired: true,
        requested: followers.length,
      });
      // Another replica starting later in the window finds the slot done.
      await expect(s.catchUp(new Date('2026-01-03T10:00:00Z'))).resolves.toEqual({
        period: '2025-12',
        fired: true,
        requested: 0,
      });
      expect(await outboxFor('2025-12')).toHaveLength(followers.length);
    } finally {
      s.stop();
    }
  });

  it('uses the configured time zone to pick the month that just ended', () => {
    // 00:30 on 1 Nov in Berlin is still 31 Oct in UTC.
    const at = new Date('2026-10-31T23:30:00Z');
    expect(previousPeriod(at, 'Europe/Berlin')).toBe('2026-10');
    expect(previousPeriod(at, 'UTC')).toBe('2026-09');
    expect(previousPeriod(new Date('2027-01-01T02:00:00Z'), 'UTC')).toBe('2026-12');
    const s = startReportScheduler({ db: fx.db, logger: fx.logger, cron: '0 2 1 * *', timeZone: 'Europe/Berlin' });
    expect(s.nextRun()?.toISOString()).toMatch(/T0[01]:00:00\.000Z$/);
    s.stop();
  });
});
