import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Browser } from 'playwright-core';
import { launchBrowser, SHOTS, signedInPage } from './browser-support';
import { type LoggedIn, startTestApp, type TestApp } from './harness';

let app: TestApp;
let browser: Browser;
let zoe: LoggedIn;
let admin: LoggedIn;

beforeAll(async () => {
  app = await startTestApp();
  browser = await launchBrowser();
  zoe = await app.login('zoe-subs-page@example.com', { name: 'Zoë Ørsted' });
  admin = await app.login('admin-subs-page@example.com', { role: 'admin' });
  await app.db.prisma.device.createMany({
    data: [
      { id: 'page-dev-1', name: 'Boiler', site: 'Łódź' },
      { id: 'page-dev-2', name: 'Chiller' },
    ],
  });
  await app.db.prisma.deviceFollow.createMany({
    data: ['page-dev-1', 'page-dev-2'].map((deviceId) => ({ userId: zoe.user.id, deviceId })),
  });
  await app.db.pool.query(
    `INSERT INTO telemetry (device_id, ts, metric, value)
     SELECT 'page-dev-1', ts, 'temperature', 20 + extract(hour FROM ts) / 4
     FROM generate_series(now() - interval '40 days', now(), interval '1 hour') ts`,
  );
});
afterAll(async () => {
  await browser?.close();
  await app?.close();
});

describe('Subscriptions page', () => {
  it('changes my subscription and previews the last complete week without emailing it', async () => {
    const page = await signedInPage(browser, app, zoe, {
      route: 'subscriptions',
      heading: 'Subscriptions',
      viewport: { width: 1100, height: 1400 },
    });
    await page.getByLabel('How often').selectOption('weekly');
    await page.getByLabel('Send at (UTC)').fill('06:30');
    await page.getByLabel('Time zone (period boundaries and dates in the report)').fill('Europe/Berlin');
    await page.getByLabel('Files').selectOption('pdf');
    await page.getByLabel('Every device I follow').uncheck();
    await page.getByLabel('Chiller').uncheck();
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByText(/Next report: .* \(covers \d{4}-W\d{2}\)/).waitFor();

    const stored = await app.db.prisma.reportSubscription.findUniqueOrThrow({ where: { userId: zoe.user.id } });
    expect(stored).toMatchObject({
      frequency: 'weekly',
      slotMinute: 6 * 60 + 30,
      timeZone: 'Europe/Berlin',
      formats: 'pdf',
      deviceIds: ['page-dev-1'],
      paused: false,
    });

    const mails = app.smtp.messages.length;
    await page.getByRole('button', { name: 'Render now' }).click();
    const img = page.getByRole('img', { name: /First page of the \d{4}-W\d{2} report/ });
    await img.waitFor();
    const width = await img.evaluate((el) => (el as unknown as { naturalWidth: number }).naturalWidth);
    expect(width).toBeGreaterThan(400);
    await page.screenshot({ path: path.join(SHOTS, 'subscriptions-page.png'), fullPage: true });
    expect(app.smtp.messages.length).toBe(mails);

    await page.getByRole('button', { name: 'Unsubscribe' }).click();
    await page.getByText(/Unsubscribed since/).waitFor();
    const events = await app.db.prisma.reportSubscriptionEvent.findMany({ where: { userId: zoe.user.id } });
    expect(events.map((e) => [e.change, e.method])).toEqual([['unsubscribed', 'settings']]);
    await page.close();
  });

  it('lets an administrator see every subscription and resend one delivery', async () => {
    const delivery = await app.db.prisma.reportDelivery.create({
      data: {
        followerId: zoe.user.id,
        reportPeriod: '2026-10',
        status: 'failed',
        lastError: 'SMTP 451 mailbox busy',
        attempts: 5,
      },
    });
    await app.db.prisma.reportDelivery.create({
      data: {
        followerId: zoe.user.id,
        reportPeriod: '2026-09',
        status: 'bounced',
        lastError: '550 5.1.1 mailbox unavailable',
        attempts: 1,
      },
    });
    const page = await signedInPage(browser, app, admin, {
      route: 'reports',
      heading: 'Reports',
      viewport: { width: 1100, height: 900 },
    });
    const table = page.getByRole('table', { name: 'Recent deliveries of every follower' });
    await table.getByText('Failed (retrying): SMTP 451 mailbox busy').waitFor();
    await table.getByText('Bounced: 550 5.1.1 mailbox unavailable').waitFor();
    await table.getByRole('button', { name: `Resend 2026-09 to ${zoe.user.email}` }).waitFor();
    await page.getByRole('button', { name: `Resend 2026-10 to ${zoe.user.email}` }).click();
    await page.getByText(/Resend 1 of 2026-10/).waitFor();
    await page.screenshot({ path: path.join(SHOTS, 'reports-admin-deliveries.png'), fullPage: true });
    const row = await app.db.prisma.reportDelivery.findUniqueOrThrow({ where: { id: delivery.id } });
    expect(row).toMatchObject({ status: 'pending', resendCount: 1, resendRequestedBy: admin.user.id, lastError: null });
    const outbox = await app.db.prisma.outboxEvent.findMany({
      where: { msgId: `report:2026-10:${zoe.user.id}:resend-1` },
    });
    expect(outbox).toHaveLength(1);

    // Not for followers: 403; an unknown delivery: 404.
    const asZoe = await app.request(`/api/v1/reports/deliveries/${delivery.id}/resend`, {
      method: 'POST',
      token: zoe.token,
    });
    expect(asZoe.status).toBe(403);
    const unknown = await app.request(`/api/v1/reports/deliveries/${crypto.randomUUID()}/resend`, {
      method: 'POST',
      token: admin.token,
    });
    expect(unknown.status).toBe(404);
    // Still pending (not yet produced): a second resend is refused rather than doubled.
    const again = await app.request(`/api/v1/reports/deliveries/${delivery.id}/resend`, {
      method: 'POST',
      token: admin.token,
    });
    expect(again.status).toBe(409);

    await page.goto(`${app.url}/#/subscriptions`);
    await page.getByRole('link', { name: zoe.user.email }).click();
    await page.getByText(`Report emails to ${zoe.user.email}`).waitFor();
    await page.close();
  });
});
