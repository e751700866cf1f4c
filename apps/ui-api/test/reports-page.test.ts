import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Browser, Page } from 'playwright-core';
import { launchBrowser, SHOTS, signedInPage } from './browser-support';
import { type LoggedIn, startTestApp, type TestApp } from './harness';

let app: TestApp;
let browser: Browser;

beforeAll(async () => {
  app = await startTestApp();
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
  await app?.close();
});

const pageAs = (session: LoggedIn): Promise<Page> =>
  signedInPage(browser, app, session, { route: 'reports', heading: 'Reports', viewport: { width: 1100, height: 640 } });

describe('Reports page', () => {
  it('lists my reports with working download links', async () => {
    const zoe = await app.login('zoe-page@example.com', { name: 'Zoë Ørsted' });
    const bucket = app.config.s3.buckets.reports;
    const pdf = await app.seed.file({
      ownerId: zoe.user.id,
      bucket,
      kind: 'report',
      filename: 'pulse-report-2026-10.pdf',
      contentType: 'application/pdf',
      body: '%PDF-1.7 page test',
    });
    const xlsx = await app.seed.file({
      ownerId: zoe.user.id,
      bucket,
      kind: 'report',
      filename: 'pulse-report-2026-10.xlsx',
      contentType: 'application/zip',
      body: 'PK page test',
    });
    await app.db.prisma.reportDelivery.createMany({
      data: [
        {
          followerId: zoe.user.id,
          reportPeriod: '2026-10',
          status: 'sent',
          emailSent: true,
          sentAt: new Date('2026-11-01T02:03:00Z'),
          storageUploaded: true,
          linksValidUntil: new Date('2026-12-01T02:03:00Z'),
          pdfFileId: pdf.id,
          xlsxFileId: xlsx.id,
          attempts: 1,
        },
        {
          followerId: zoe.user.id,
          reportPeriod: '2026-09',
          status: 'sent',
          emailSent: true,
          sentAt: new Date('2026-10-01T02:04:00Z'),
          storageUploaded: false,
          attempts: 1,
        },
      ],
    });

    const page = await pageAs(zoe);
    const table = page.getByRole('table', { name: 'My reports' });
    await table.waitFor();
    expect(await table.getByRole('row').count()).toBe(3);
    await expect(page.getByText('Sent as email attachments').isVisible()).resolves.toBe(true);
    await expect(page.getByText(/^Links valid until Dec 1, 2026/).isVisible()).resolves.toBe(true);
    const link = page.getByRole('link', { name: 'Download pulse-report-2026-10.pdf' });
    expect(await link.getAttribute('href')).toBe(`/api/v1/files/${pdf.id}/download`);
    // No admin form for a follower.
    expect(await page.getByRole('button', { name: 'Send reports now' }).count()).toBe(0);
    await page.screenshot({ path: `${SHOTS}/reports.png` });

    // The link works for the signed-in browser: the API redirects to storage, which serves the bytes.
    const [download] = await Promise.all([page.waitForEvent('download'), link.click()]);
    expect(download.suggestedFilename()).toBe('pulse-report-2026-10.pdf');
    expect(await readFile((await download.path())!, 'utf8')).toBe('%PDF-1.7 page test');
    await page.context().close();
  });

  it('lets an administrator run a period', async () => {
    const admin = await app.login('admin-page@example.com', { role: 'admin' });
    const page = await pageAs(admin);
    await page.getByText('No reports yet').waitFor();
    await page.getByLabel('Period', { exact: true }).fill('2026-10');
    await page.getByRole('button', { name: 'Send reports now' }).click();
    await page.getByText(/Requested \d+ report\(s\) for October 2026/).waitFor();
    // An ISO week goes to the weekly subscribers.
    await page.getByLabel('Send', { exact: true }).selectOption('weekly');
    await page.getByLabel('Period', { exact: true }).fill('2026-W44');
    await page.getByRole('button', { name: 'Send reports now' }).click();
    await page.getByText(/Requested \d+ report\(s\) for Week 44, 2026/).waitFor();
    await page.screenshot({ path: `${SHOTS}/reports-admin.png` });
    await page.context().close();
  });
});
