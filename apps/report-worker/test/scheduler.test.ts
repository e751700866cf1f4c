import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { previousPeriod, unsubscribe, updateSubscription } from '@pulse/reports';
import { schedulerPass, type TickResult } from '../src/scheduling/scheduler';
import { type ReportFixture, type SeededFollower, seedReportWorld, startReportFixture } from './fixture';

let fx: ReportFixture;
let monthly: SeededFollower;
let weekly: SeededFollower;
const extra: Record<'paused' | 'gone' | 'late', string> = { paused: '', gone: '', late: '' };

const CATCH_UP = 72 * 3_600_000;
const requested = (results: TickResult[]) => results.flatMap((r) => (r.fired ? r.requested : []));

async function followerWith(name: string, devices: string[]): Promise<string> {
  const user = await fx.db.prisma.user.create({ data: { email: `${name}-${Date.now()}@example.com`, name } });
  await fx.db.prisma.deviceFollow.createMany({ data: devices.map((deviceId) => ({ userId: user.id, deviceId })) });
  return user.id;
}

beforeAll(async () => {
  fx = await startReportFixture();
  [monthly, weekly] = (await seedReportWorld(fx.db)) as [SeededFollower, SeededFollower];
  // The first follower keeps the defaults (monthly, 02:00 UTC on the 1st); the second is weekly at 06:30
  // UTC on Mondays with Berlin periods.
  const settings = { method: 'settings' as const };
  await updateSubscription(
    fx.db,
    weekly.id,
    { frequency: 'weekly', slot: '06:30', timeZone: 'Europe/Berlin' },
    settings,
  );
  extra.paused = await followerWith('paused', weekly.devices);
  await updateSubscription(fx.db, extra.paused, { frequency: 'weekly', slot: '06:30', paused: true }, settings);
  extra.gone = await followerWith('gone', weekly.devices);
  await unsubscribe(fx.db, extra.gone, { method: 'one-click' });
  extra.late = await followerWith('late', weekly.devices);
  await updateSubscription(fx.db, extra.late, { frequency: 'weekly', slot: '23:00' }, settings);
});
afterAll(async () => {
  await fx?.close();
});

describe('report scheduler', () => {
  it('fires each subscription once at its own slot, with two instances passing at the same moments', async () => {
    const a = schedulerPass({ db: fx.db, logger: fx.logger, catchUpMs: CATCH_UP });
    const b = schedulerPass({ db: fx.db, logger: fx.logger, catchUpMs: CATCH_UP });
    const pass = async (iso: string) => {
      const at = new Date(iso);
      // Both replicas, twice each, concurrently: the lock and the delivery rows decide.
      return requested(await Promise.all([a(at), b(at), a(at), b(at)]));
    };

    // A minute before the monthly slot: the latest monthly slot (1 Oct) is a month old, the latest weekly
    // ones (26 Oct) six days.
    expect(await pass('2026-11-01T01:59:00Z')).toEqual([]);
    const onTheFirst = await pass('2026-11-01T02:00:00Z');
    expect(onTheFirst).toEqual([{ followerId: monthly.id, period: '2026-10', slot: new Date('2026-11-01T02:00:00Z') }]);
    expect(await pass('2026-11-02T06:29:00Z')).toEqual([]);
    const onMonday = await pass('2026-11-02T06:30:00Z');
    // 06:30 UTC on Monday 2 Nov is 07:30 in Berlin: the week just ended there is ISO week 44 (26 Oct – 1 Nov).
    expect(onMonday).toEqual([{ followerId: weekly.id, period: '2026-W44', slot: new Date('2026-11-02T06:30:00Z') }]);
    expect(previousPeriod(new Date('2026-11-02T06:30:00Z'), 'Europe/Berlin', 'weekly')).toBe('2026-W44');
    // Later passes the same week find every due slot done.
    expect(await pass('2026-11-02T07:30:00Z')).toEqual([]);

    const outbox = await fx.db.prisma.outboxEvent.findMany({ where: { subject: 'report.requested' } });
    expect(outbox.map((r) => r.msgId).sort()).toEqual(
      [`report:2026-10:${monthly.id}`, `report:2026-W44:${weekly.id}`].sort(),
    );
    expect(outbox.map((r) => r.payload)).toEqual(
      expect.arrayContaining([
        { period: '2026-10', followerId: monthly.id },
        { period: '2026-W44', followerId: weekly.id },
      ]),
    );
    // Paused and unsubscribed followers got nothing; the 23:00 subscription's Monday slot is still ahead.
    const others = await fx.db.prisma.reportDelivery.findMany({
      where: { followerId: { in: [extra.paused, extra.gone, extra.late] } },
    });
    expect(others).toEqual([]);
  });

  it('catches up a slot missed while no replica ran, within the window only', async () => {
    const pass = schedulerPass({ db: fx.db, logger: fx.logger, catchUpMs: CATCH_UP });
    // The 23:00 Monday slot of 2 Nov, seen first 72 h + 1 min later: too old, never sent.
    expect(requested([await pass(new Date('2026-11-05T23:01:00Z'))])).toEqual([]);
    // The next Monday's slot (9 Nov), seen 71 h later (a deployment that was down): sent once.
    const late = requested([await pass(new Date('2026-11-12T22:00:00Z'))]);
    expect(late).toEqual([{ followerId: extra.late, period: '2026-W45', slot: new Date('2026-11-09T23:00:00Z') }]);
    expect(requested([await pass(new Date('2026-11-12T22:30:00Z'))])).toEqual([]);
  });

  it('sends on time only within ten minutes of the slot when catch-up is off', async () => {
    const pass = schedulerPass({ db: fx.db, logger: fx.logger, catchUpMs: 0 });
    expect(requested([await pass(new Date('2026-12-01T02:11:00Z'))])).toEqual([]);
    expect(requested([await pass(new Date('2026-12-01T02:09:00Z'))])).toEqual([
      { followerId: monthly.id, period: '2026-11', slot: new Date('2026-12-01T02:00:00Z') },
    ]);
  });

  it('takes the period in the subscription time zone', () => {
    // 00:30 on 1 Nov in Berlin is still 31 Oct in UTC.
    const at = new Date('2026-10-31T23:30:00Z');
    expect(previousPeriod(at, 'Europe/Berlin')).toBe('2026-10');
    expect(previousPeriod(at, 'UTC')).toBe('2026-09');
    expect(previousPeriod(new Date('2027-01-01T02:00:00Z'), 'UTC')).toBe('2026-12');
    // Monday 00:30 in Berlin is Sunday in UTC: Berlin's week just ended, UTC's is still running.
    expect(previousPeriod(new Date('2026-11-01T23:30:00Z'), 'Europe/Berlin', 'weekly')).toBe('2026-W44');
    expect(previousPeriod(new Date('2026-11-01T23:30:00Z'), 'UTC', 'weekly')).toBe('2026-W43');
    // ISO years: 1 Jan 2027 (a Friday) belongs to 2026-W53.
    expect(previousPeriod(new Date('2027-01-04T06:30:00Z'), 'UTC', 'weekly')).toBe('2026-W53');
  });
});
