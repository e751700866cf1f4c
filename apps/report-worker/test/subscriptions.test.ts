import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { readBounce } from '@pulse/mail';
import { recordLateBounce, requestResend, updateSubscription } from '@pulse/reports';
import { bounceMessage } from '@pulse/testing';
import { handleReportRequested } from '../src/handle-report-requested';
import { reportObjectKey as reportKey } from '@pulse/storage';
import { type ReportFixture, type SeededFollower, seedReportWorld, startReportFixture } from './fixture';
import { readWorkbook } from './read-back';

let fx: ReportFixture;
let zoe: SeededFollower;
let bob: SeededFollower;

beforeAll(async () => {
  fx = await startReportFixture();
  [zoe, bob] = (await seedReportWorld(fx.db)) as [SeededFollower, SeededFollower];
  // Quarter-hourly readings around both edges of Berlin's ISO week 44 (26 Oct 00:00 CET = 25 Oct 23:00 UTC,
  // just after the switch from summer time; 2 Nov 00:00 CET = 1 Nov 23:00 UTC), on top of the hourly world.
  await fx.db.pool.query(
    `INSERT INTO telemetry (device_id, ts, metric, value)
     SELECT $1, ts, 'pressure', 1000 + extract(minute FROM ts)
     FROM generate_series('2026-10-25T21:00:00Z'::timestamptz, '2026-10-26T01:00:00Z'::timestamptz, interval '15 minutes') ts
     UNION ALL
     SELECT $1, ts, 'pressure', 1000 + extract(minute FROM ts)
     FROM generate_series('2026-11-01T21:00:00Z'::timestamptz, '2026-11-02T01:00:00Z'::timestamptz, interval '15 minutes') ts`,
    [zoe.devices[0]],
  );
});
afterAll(async () => {
  await fx?.close();
});

async function readObject(key: string): Promise<Buffer> {
  const { body } = await fx.storage.get(fx.config.s3.buckets.reports, key);
  const chunks: Buffer[] = [];
  for await (const c of body) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

describe('a subscription shapes the report', () => {
  it('takes a Berlin week from local midnight to midnight, the chosen devices only, and the chosen format', async () => {
    const deviceA = zoe.devices[0]!;
    await updateSubscription(
      fx.db,
      zoe.id,
      { frequency: 'weekly', timeZone: 'Europe/Berlin', formats: 'xlsx', deviceIds: [deviceA] },
      { method: 'settings' },
    );
    await expect(handleReportRequested(fx.deps, { period: '2026-W44', followerId: zoe.id })).resolves.toBe('sent');

    // What the report must contain, selected with literal UTC bounds (not the code's time zone arithmetic).
    const { rows: expected } = await fx.db.pool.query<{ metric: string; count: number }>(
      `SELECT metric, count(*)::int AS count FROM telemetry
       WHERE device_id = $1 AND ts >= '2026-10-25T23:00:00Z' AND ts < '2026-11-01T23:00:00Z'
       GROUP BY metric ORDER BY metric`,
      [deviceA],
    );
    // The quarter-hourly series: 25 Oct 23:00 … 26 Oct 01:00 UTC and 1 Nov 21:00 … 22:45 UTC are inside.
    expect(expected.find((e) => e.metric === 'pressure')?.count).toBe(9 + 8);

    const wb = await readWorkbook(await readObject(reportKey('2026-W44', zoe.id, 'xlsx')));
    const summary = wb.getWorksheet('Summary')!;
    const got: { device: unknown; metric: unknown; count: unknown }[] = [];
    for (let r = 2; r <= summary.rowCount; r++) {
      const row = summary.getRow(r);
      got.push({ device: row.getCell(1).value, metric: row.getCell(4).value, count: row.getCell(5).value });
    }
    expect(got.map((g) => [g.metric, g.count]).sort()).toEqual(expected.map((e) => [e.metric, e.count]).sort());
    expect(got.every((g) => g.device === deviceA)).toBe(true);
    expect(wb.worksheets).toHaveLength(2);

    // Daily rows are Berlin days: Monday 26 Oct holds 00:00–01:59 local (23:00–00:45 UTC) of the pressure series.
    const days = wb.worksheets[1]!;
    const pressureDays: [string, unknown][] = [];
    for (let r = 2; r <= days.rowCount; r++) {
      const row = days.getRow(r);
      if (row.getCell(2).value === 'pressure')
        pressureDays.push([(row.getCell(1).value as Date).toISOString().slice(0, 10), row.getCell(3).value]);
    }
    const { rows: perDay } = await fx.db.pool.query<{ day: string; count: number }>(
      `SELECT to_char(ts AT TIME ZONE 'Europe/Berlin', 'YYYY-MM-DD') AS day, count(*)::int AS count FROM telemetry
       WHERE device_id = $1 AND metric = 'pressure' AND ts >= '2026-10-25T23:00:00Z' AND ts < '2026-11-01T23:00:00Z'
       GROUP BY 1 ORDER BY 1`,
      [deviceA],
    );
    expect(pressureDays).toEqual(perDay.map((d) => [d.day, d.count]));
    expect(pressureDays[0]).toEqual(['2026-10-26', 9]);

    // Only the workbook was made, stored and linked.
    await expect(fx.storage.exists(fx.config.s3.buckets.reports, reportKey('2026-W44', zoe.id, 'pdf'))).resolves.toBe(
      false,
    );
    const mail = fx.smtp.messages.find((m) => m.to.includes(zoe.email) && m.subject.includes('Week 44'));
    expect(mail?.text).toContain('Excel workbook:');
    expect(mail?.text).not.toContain('PDF report:');
  });

  it('sends nothing while the subscription is paused', async () => {
    await updateSubscription(fx.db, bob.id, { paused: true }, { method: 'settings' });
    const before = fx.smtp.messages.length;
    await expect(handleReportRequested(fx.deps, { period: '2026-10', followerId: bob.id })).resolves.toBe('skipped');
    // A redelivery of the same request finds it done.
    await expect(handleReportRequested(fx.deps, { period: '2026-10', followerId: bob.id })).resolves.toBe(
      'already_sent',
    );
    expect(fx.smtp.messages.length).toBe(before);
    const row = await fx.db.prisma.reportDelivery.findUniqueOrThrow({
      where: { followerId_reportPeriod: { followerId: bob.id, reportPeriod: '2026-10' } },
    });
    expect(row).toMatchObject({ status: 'skipped', lastError: 'paused', emailSent: false });
  });

  it('records a recipient the relay refuses for good as bounced, with its reply, and does not retry it', async () => {
    const user = await fx.db.prisma.user.create({ data: { email: `gone-${Date.now()}@example.com`, name: 'Gone' } });
    await fx.db.prisma.deviceFollow.create({ data: { userId: user.id, deviceId: zoe.devices[0]! } });
    fx.smtp.refuseRecipient(user.email, { code: 550, message: '5.1.1 mailbox unavailable' });
    const key = { period: '2026-10', followerId: user.id };
    await expect(handleReportRequested(fx.deps, key)).resolves.toBe('bounced');
    const row = await fx.db.prisma.reportDelivery.findUniqueOrThrow({
      where: { followerId_reportPeriod: { followerId: user.id, reportPeriod: '2026-10' } },
    });
    expect(row).toMatchObject({ status: 'bounced', emailSent: false, attempts: 1 });
    expect(row.lastError).toMatch(/^550 5\.1\.1 mailbox unavailable/);
    // A redelivery acknowledges without another attempt; only an administrator's resend tries again.
    await expect(handleReportRequested(fx.deps, key)).resolves.toBe('already_sent');
    expect(fx.smtp.messages.filter((m) => m.to.includes(user.email))).toEqual([]);
    await expect(requestResend(fx.db, row.id, user.id)).resolves.toMatchObject({ outcome: 'requested' });
    await expect(handleReportRequested(fx.deps, key)).resolves.toBe('bounced');
    const again = await fx.db.prisma.reportDelivery.findUniqueOrThrow({ where: { id: row.id } });
    expect(again).toMatchObject({ status: 'bounced', attempts: 2, resendCount: 1 });
  });

  it("resends one delivery on an administrator's request: a new email with fresh links, counted as a resend", async () => {
    const user = await fx.db.prisma.user.create({ data: { email: `again-${Date.now()}@example.com`, name: 'Again' } });
    await fx.db.prisma.deviceFollow.create({ data: { userId: user.id, deviceId: zoe.devices[1]! } });
    const key = { period: '2026-10', followerId: user.id };
    const first = new Date('2026-11-01T02:05:00Z');
    await expect(handleReportRequested({ ...fx.deps, now: () => first }, key)).resolves.toBe('sent');
    const row = await fx.db.prisma.reportDelivery.findUniqueOrThrow({
      where: { followerId_reportPeriod: { followerId: user.id, reportPeriod: '2026-10' } },
    });
    await expect(requestResend(fx.db, row.id, user.id)).resolves.toMatchObject({
      outcome: 'requested',
      resendCount: 1,
    });
    const later = new Date('2026-11-20T09:00:00Z');
    await expect(handleReportRequested({ ...fx.deps, now: () => later }, key)).resolves.toBe('sent');

    const mails = fx.smtp.messages.filter((m) => m.to.includes(user.email));
    expect(mails).toHaveLength(2);
    expect(mails.map((m) => m.raw.headers.get('x-pulse-message-key'))).toEqual([
      `report:2026-10:${user.id}`,
      `report:2026-10:${user.id}:resend-1`,
    ]);
    // Each sending names itself for a bounce that comes back later (DSN envelope id, and the header).
    expect(mails.map((m) => m.envelopeId)).toEqual([`${row.id}.0`, `${row.id}.1`]);
    const links = mails.map((m) => /PDF report: (\S+)/.exec(m.text)?.[1]);
    expect(links[1]).toBeDefined();
    expect(links[1]).not.toBe(links[0]);
    expect(mails[1]!.text).toContain('These links work until 2026-12-20.');
    const after = await fx.db.prisma.reportDelivery.findUniqueOrThrow({ where: { id: row.id } });
    expect(after).toMatchObject({ status: 'sent', resendCount: 1, resendRequestedBy: user.id });
    expect(after.linksValidUntil?.toISOString().slice(0, 10)).toBe('2026-12-20');

    // Bounces that come back later, as the MTA writes them. The first email's is too late to matter: the
    // resend stands. The resend's own bounce marks the delivery bounced, with the remote server's reason.
    const lateBounce = async (mail: (typeof mails)[number], mta: 'postfix' | 'exim') => {
      const report = await readBounce(
        bounceMessage({ mta, original: mail.source, recipient: user.email, envelopeId: mail.envelopeId }),
      );
      return recordLateBounce(fx.db, report?.tag ?? '', 'bounced later: 5.1.1');
    };
    await expect(lateBounce(mails[0]!, 'postfix')).resolves.toEqual({ outcome: 'superseded', deliveryId: row.id });
    expect(await fx.db.prisma.reportDelivery.findUniqueOrThrow({ where: { id: row.id } })).toMatchObject({
      status: 'sent',
    });
    await expect(lateBounce(mails[1]!, 'exim')).resolves.toEqual({
      outcome: 'bounced',
      deliveryId: row.id,
      followerId: user.id,
    });
    expect(await fx.db.prisma.reportDelivery.findUniqueOrThrow({ where: { id: row.id } })).toMatchObject({
      status: 'bounced',
      lastError: 'bounced later: 5.1.1',
    });
    // The MTA delivering the same bounce again changes nothing; a tag that is not ours names nothing.
    await expect(lateBounce(mails[1]!, 'postfix')).resolves.toMatchObject({ outcome: 'unchanged', status: 'bounced' });
    await expect(recordLateBounce(fx.db, `${crypto.randomUUID()}.0`, 'x')).resolves.toEqual({ outcome: 'unknown' });
    await expect(recordLateBounce(fx.db, 'someone-else', 'x')).resolves.toEqual({ outcome: 'unknown' });
    // Like any bounce, it can be resent by an administrator.
    await expect(requestResend(fx.db, row.id, user.id)).resolves.toMatchObject({
      outcome: 'requested',
      resendCount: 2,
    });
  });
});
