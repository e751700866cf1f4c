/**
 * Subscriptions end to end, as in production: the real ui-api, two real report-worker processes on the
 * same database, stream and bucket, a real SMTP capture, RGW, and Chromium for the email's HTML.
 */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { loadConfig, smtpConfig } from '@pulse/config';
import { createLogger } from '@pulse/logger';
import { createMailer } from '@pulse/mail';
import { previousPeriod, requestDueReports, requestManualReports, updateSubscription } from '@pulse/reports';
import { bounceMessage, type CapturedMail, LogCapture } from '@pulse/testing';
import { launchBrowser, SHOTS } from './browser-support';
import { type LoggedIn, startTestApp, type TestApp } from './harness';
import { type RunningWorker, startWorker } from './worker-process';

let app: TestApp;
let weekly: LoggedIn;
let monthly: LoggedIn;
let paused: LoggedIn;
const workers: RunningWorker[] = [];

const now = new Date();
const DAY = 86_400_000;
// Slots at 00:00 UTC: the latest monthly one (the 1st) is at most 31 days old, the weekly one (Monday)
// at most 7; the workers catch up 31 days, so both are due when they start, whatever day this runs.
const monthSlot = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1));
const today = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
const weekSlot = new Date(today - ((now.getUTCDay() + 6) % 7) * DAY);
const monthPeriod = previousPeriod(monthSlot, 'UTC', 'monthly');
const weekPeriod = previousPeriod(weekSlot, 'Europe/Berlin', 'weekly');

const MAILBOX = 'unsubscribe@pulse.test';
const PULSE_CLI = fileURLToPath(new URL('../../../scripts/pulse/main.ts', import.meta.url));

const mailsFor = (who: LoggedIn) =>
  app.smtp.messages.filter((m) => m.to.includes(who.user.email) && m.subject.startsWith('Your Pulse report'));

beforeAll(async () => {
  app = await startTestApp();
  weekly = await app.login('weekly-e2e@example.com', { name: 'Wanda Weekly' });
  monthly = await app.login('monthly-e2e@example.com', { name: 'Zoë Ørsted' });
  paused = await app.login('paused-e2e@example.com', { name: 'Paul Paused' });
  await app.db.prisma.device.createMany({
    data: [
      { id: 'e2e-dev-1', name: 'Boiler' },
      { id: 'e2e-dev-2', name: 'Chiller' },
    ],
  });
  for (const u of [weekly, monthly, paused])
    await app.db.prisma.deviceFollow.createMany({
      data: ['e2e-dev-1', 'e2e-dev-2'].map((deviceId) => ({ userId: u.user.id, deviceId })),
    });
  await app.db.pool.query(
    `INSERT INTO telemetry (device_id, ts, metric, value)
     SELECT d, ts, m, CASE m WHEN 'temperature' THEN 20 + 5 * sin(extract(epoch FROM ts) / 40000) ELSE 40 + extract(hour FROM ts) END
     FROM unnest(ARRAY['e2e-dev-1', 'e2e-dev-2']) d,
          generate_series(date_trunc('hour', now()) - interval '70 days', date_trunc('hour', now()), interval '1 hour') ts,
          unnest(ARRAY['temperature', 'humidity']) m`,
  );
  const settings = { method: 'settings' as const };
  await updateSubscription(
    app.db,
    weekly.user.id,
    { frequency: 'weekly', slot: '00:00', timeZone: 'Europe/Berlin' },
    settings,
  );
  await updateSubscription(app.db, monthly.user.id, { slot: '00:00' }, settings);
  await updateSubscription(app.db, paused.user.id, { frequency: 'weekly', slot: '00:00', paused: true }, settings);

  const env = { REPORT_CATCH_UP_HOURS: String(31 * 24), UNSUBSCRIBE_MAILBOX: MAILBOX };
  workers.push(
    ...(await Promise.all([startWorker(app, 'report-worker', env), startWorker(app, 'report-worker', env)])),
  );
}, 60_000);
afterAll(async () => {
  for (const w of workers) await w.stop();
  await app?.close();
});

describe('report subscriptions across two report-worker processes', () => {
  let weeklyMail: CapturedMail;
  let monthlyMail: CapturedMail;

  it('delivers the weekly and the monthly subscription once each; the paused one gets nothing', async () => {
    const report = (who: LoggedIn) => (m: CapturedMail) =>
      m.to.includes(who.user.email) && m.subject.startsWith('Your Pulse report');
    weeklyMail = await app.smtp.waitFor(report(weekly), 60_000);
    monthlyMail = await app.smtp.waitFor(report(monthly), 60_000);
    // Both processes passed over the slots at start (and redeliveries would only acknowledge): let them settle.
    await new Promise((r) => setTimeout(r, 3000));
    expect(mailsFor(weekly)).toHaveLength(1);
    expect(mailsFor(monthly)).toHaveLength(1);
    expect(mailsFor(paused)).toHaveLength(0);
    expect(weeklyMail.subject).toContain(`Week ${Number(weekPeriod.slice(6))}, ${weekPeriod.slice(0, 4)}`);

    const rows = await app.db.prisma.reportDelivery.findMany({ orderBy: { reportPeriod: 'asc' } });
    expect(rows.map((r) => [r.followerId, r.reportPeriod, r.status]).sort()).toEqual(
      [
        [weekly.user.id, weekPeriod, 'sent'],
        [monthly.user.id, monthPeriod, 'sent'],
      ].sort(),
    );
    for (const r of rows) expect(r.linksValidUntil?.getTime()).toBeGreaterThan(Date.now() + 29 * DAY);
    const keys = await app.db.prisma.artifactFile.findMany({ select: { objectKey: true } });
    expect(keys.map((k) => k.objectKey).sort()).toEqual(
      [
        `reports/${monthPeriod}/${monthly.user.id}/report_${monthPeriod}.pdf`,
        `reports/${monthPeriod}/${monthly.user.id}/report_${monthPeriod}.xlsx`,
        `reports/${weekPeriod}/${weekly.user.id}/report_${weekPeriod}.pdf`,
        `reports/${weekPeriod}/${weekly.user.id}/report_${weekPeriod}.xlsx`,
      ].sort(),
    );
  });

  it('sends multipart/alternative with a real text part and an inline cid: chart, and no remote resources', async () => {
    const mail = monthlyMail;
    expect(mail.raw.headers.get('content-type')).toMatchObject({ value: 'multipart/alternative' });
    expect(mail.text).toContain('Hello Zoë Ørsted,');
    expect(mail.text).toMatch(/temperature: min [\d.]+, average [\d.]+, max [\d.]+/);
    expect(mail.text).toMatch(/PDF report: http:\/\/127\.0\.0\.1:\d+\/r\//);
    const chart = mail.raw.attachments.find((a) => a.cid === 'chart@pulse');
    expect(chart).toMatchObject({ contentType: 'image/png', related: true });
    expect(chart!.content.subarray(1, 4).toString()).toBe('PNG');
    // mailparser, like a mail client, resolves the HTML's cid: reference to the related part: the one image
    // source is that part's bytes, and nothing else would be fetched (no remote src, stylesheet, import, url()).
    const sources = [...mail.html.matchAll(/src="([^"]*)"/g)].map((m) => m[1]!);
    expect(sources).toEqual([`data:image/png;base64,${chart!.content.toString('base64')}`]);
    expect(mail.html).not.toMatch(/<link|@import|url\(/i);

    // As a mail client shows it: cid: resolved from the MIME part, every network request recorded and refused.
    const browser = await launchBrowser();
    try {
      const page = await browser.newPage({ viewport: { width: 720, height: 900 } });
      const requests: string[] = [];
      await page.route('**/*', (route) => {
        requests.push(route.request().url());
        return route.abort();
      });
      await page.setContent(mail.html, { waitUntil: 'load' });
      const size = await page.locator('img').evaluate((el) => {
        const img = el as unknown as { naturalWidth: number; naturalHeight: number };
        return [img.naturalWidth, img.naturalHeight];
      });
      expect(size).toEqual([600, 220]);
      await page.screenshot({ path: path.join(SHOTS, 'report-email.png'), fullPage: true });
      expect(requests).toEqual([]);
    } finally {
      await browser.close();
    }
  });

  it('unsubscribes with one POST to the List-Unsubscribe URL, without a session, and the next report is not sent', async () => {
    const mail = weeklyMail;
    const header = (key: string) => mail.raw.headerLines.filter((h) => h.key === key).map((h) => h.line);
    expect(header('list-unsubscribe-post')).toEqual(['List-Unsubscribe-Post: List-Unsubscribe=One-Click']);
    // One field with both URLs, the https one first (RFC 2369 / RFC 8058).
    expect(header('list-unsubscribe')).toHaveLength(1);
    const list = header('list-unsubscribe')[0]!;
    expect(list).toMatch(/^List-Unsubscribe:\s*<http[^>]+>,\s*<mailto:[^>]+>$/);
    const url = /<(http[^>]+)>/.exec(list)?.[1];
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/u\//);
    expect(list).toMatch(/<mailto:unsubscribe@pulse\.test\?subject=unsubscribe%20[\w.-]+>/);

    // A link scanner's GET changes nothing.
    const page = await fetch(url!);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('Unsubscribe from Pulse reports?');
    expect(
      (await app.db.prisma.reportSubscription.findUnique({ where: { userId: weekly.user.id } }))?.unsubscribedAt,
    ).toBeNull();

    // What a mail client sends (RFC 8058): no cookie, no CSRF header.
    const res = await fetch(url!, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'List-Unsubscribe=One-Click',
    });
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('Resubscribe');
    const sub = await app.db.prisma.reportSubscription.findUnique({ where: { userId: weekly.user.id } });
    expect(sub?.unsubscribedAt).toBeInstanceOf(Date);
    const events = await app.db.prisma.reportSubscriptionEvent.findMany({ where: { userId: weekly.user.id } });
    expect(events.map((e) => [e.change, e.method])).toEqual([['unsubscribed', 'one-click']]);
    // A retried POST records nothing more.
    await fetch(url!, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'List-Unsubscribe=One-Click',
    });
    expect(await app.db.prisma.reportSubscriptionEvent.count({ where: { userId: weekly.user.id } })).toBe(1);

    // The next weekly slot requests nothing for them; a request that was already queued is skipped.
    const nextSlot = new Date(weekSlot.getTime() + 7 * DAY);
    const due = await requestDueReports(app.db, nextSlot, { windowMs: 600_000 });
    expect(due.map((d) => d.followerId)).not.toContain(weekly.user.id);
    const nextPeriod = previousPeriod(nextSlot, 'Europe/Berlin', 'weekly');
    await requestManualReports(app.db, { period: nextPeriod, followerId: weekly.user.id });
    app.deps.kickOutbox();
    const deadline = Date.now() + 20_000;
    let status: string | undefined;
    while (Date.now() < deadline) {
      status = (
        await app.db.prisma.reportDelivery.findUnique({
          where: { followerId_reportPeriod: { followerId: weekly.user.id, reportPeriod: nextPeriod } },
        })
      )?.status;
      if (status === 'skipped') break;
      await new Promise((r) => setTimeout(r, 200));
    }
    expect(status).toBe('skipped');
    expect(mailsFor(weekly)).toHaveLength(1);
    // No session was involved anywhere above.
    expect(await app.db.prisma.authSession.count({ where: { userId: weekly.user.id, revokedAt: null } })).toBe(1);
  });

  it('rejects a forged or report-link token on the unsubscribe URL', async () => {
    const pdfLink = /PDF report: (http\S+)/.exec(monthlyMail.text)?.[1] ?? '';
    const token = pdfLink.split('/r/')[1];
    const res = await fetch(`${app.url}/u/${token}`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'List-Unsubscribe=One-Click',
    });
    expect(res.status).toBe(404);
    expect(
      (await app.db.prisma.reportSubscription.findUnique({ where: { userId: monthly.user.id } }))?.unsubscribedAt,
    ).toBeNull();
  });

  it('unsubscribes through the mailto: the message a mail client sends, handed to pnpm pulse unsubscribe-mail', async () => {
    const list = monthlyMail.raw.headerLines.find((h) => h.key === 'list-unsubscribe')?.line ?? '';
    const mailto = new URL(/<(mailto:[^>]+)>/.exec(list)?.[1] ?? 'mailto:none');
    expect(mailto.pathname).toBe(MAILBOX);
    // What a mail client does with it: a message to that address with that subject, from the user.
    const { smtp } = loadConfig(
      { smtp: smtpConfig },
      { SMTP_HOST: app.smtp.host, SMTP_PORT: String(app.smtp.port), MAIL_FROM: monthly.user.email },
    );
    const client = createMailer({
      config: smtp,
      logger: createLogger({ name: 'client', destination: new LogCapture() }),
    });
    const send = async (subject: string) => {
      await client.send({ to: mailto.pathname, subject, text: '' });
      return (await app.smtp.waitFor((m) => m.to.includes(MAILBOX) && m.subject === subject)).source;
    };
    const subject = mailto.searchParams.get('subject') ?? '';
    expect(subject).toMatch(/^unsubscribe \S+$/);
    const request = await send(subject);
    const forged = await send(`${subject.slice(0, -4)}AAAA`);
    client.close();

    const cli = (source: Buffer) =>
      mailFilter('unsubscribe-mail', source, {
        UNSUBSCRIBE_SIGNING_SECRET: app.config.keys.unsubscribe.current.secret,
      });
    // A message whose token was tampered with unsubscribes nobody (and is not bounced back).
    expect(await cli(forged)).toEqual({ code: 0, stdout: 'ignored: the unsubscribe token is invalid\n' });
    expect(
      (await app.db.prisma.reportSubscription.findUnique({ where: { userId: monthly.user.id } }))?.unsubscribedAt,
    ).toBeNull();

    expect(await cli(request)).toEqual({ code: 0, stdout: `unsubscribed: ${monthly.user.email}\n` });
    const sub = await app.db.prisma.reportSubscription.findUniqueOrThrow({ where: { userId: monthly.user.id } });
    expect(sub.unsubscribedAt).toBeInstanceOf(Date);
    const events = await app.db.prisma.reportSubscriptionEvent.findMany({ where: { userId: monthly.user.id } });
    expect(events.map((e) => [e.change, e.method])).toEqual([['unsubscribed', 'mailto']]);
    // The same message again (an MTA retry) changes nothing.
    expect(await cli(request)).toEqual({
      code: 0,
      stdout: `already unsubscribed: ${monthly.user.email}\n`,
    });
  }, 60_000);

  it('marks a report bounced when the bounce comes back later: the MTA hands it to pnpm pulse bounce-mail', async () => {
    const delivery = () =>
      app.db.prisma.reportDelivery.findUniqueOrThrow({
        where: { followerId_reportPeriod: { followerId: weekly.user.id, reportPeriod: weekPeriod } },
      });
    const before = await delivery();
    expect(before.status).toBe('sent');
    // The relay accepted the email with its DSN envelope id; the remote server refused it afterwards.
    expect(weeklyMail.envelopeId).toBe(`${before.id}.0`);
    const bounce = bounceMessage({
      mta: 'postfix',
      original: weeklyMail.source,
      recipient: weekly.user.email,
      envelopeId: weeklyMail.envelopeId,
    });
    // Mail that is not a permanent-failure report changes nothing: a delay warning, an ordinary reply.
    const delayed = bounceMessage({
      mta: 'postfix',
      original: weeklyMail.source,
      recipient: weekly.user.email,
      envelopeId: weeklyMail.envelopeId,
      action: 'delayed',
      status: '4.4.1',
    });
    expect(await mailFilter('bounce-mail', delayed)).toEqual({
      code: 0,
      stdout: 'ignored: not a delivery report of a permanent failure\n',
    });
    expect(await mailFilter('bounce-mail', monthlyMail.source)).toMatchObject({ code: 0 });
    expect((await delivery()).status).toBe('sent');

    expect(await mailFilter('bounce-mail', bounce)).toEqual({
      code: 0,
      stdout: `bounced: delivery ${before.id} (5.1.1)\n`,
    });
    const after = await delivery();
    expect(after.status).toBe('bounced');
    expect(after.lastError).toContain('5.1.1');
    expect(after.lastError).toContain('User unknown');
    // The MTA delivering the same bounce again is harmless.
    expect(await mailFilter('bounce-mail', bounce)).toEqual({
      code: 0,
      stdout: `unchanged: delivery ${before.id} is bounced\n`,
    });
    // With the database gone the MTA is told to try again later (EX_TEMPFAIL), not that the mail failed.
    expect(
      await mailFilter('bounce-mail', bounce, { DATABASE_URL: 'postgresql://postgres@127.0.0.1:1/none' }),
    ).toMatchObject({ code: 75 });
  }, 60_000);
});

/** A mailbox command as an MTA pipe runs it: the raw message on stdin, the sysexits code back. */
function mailFilter(command: string, source: Buffer, env: Record<string, string> = {}) {
  return new Promise<{ code: number; stdout: string }>((resolve) => {
    const child = execFile(
      process.execPath,
      ['--import', 'tsx', PULSE_CLI, command],
      { env: { PATH: process.env.PATH, DATABASE_URL: app.config.db.url, LOG_LEVEL: 'warn', ...env } },
      (err, stdout) => resolve({ code: err ? Number(err.code) : 0, stdout }),
    );
    child.stdin?.end(source);
  });
}
