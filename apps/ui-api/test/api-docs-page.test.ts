import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Browser } from 'playwright-core';
import { launchBrowser, SHOTS } from './browser-support';
import { type LoggedIn, startTestApp, type TestApp } from './harness';

let app: TestApp;
let alice: LoggedIn;
let browser: Browser;

beforeAll(async () => {
  app = await startTestApp();
  alice = await app.login('alice-docs@example.com', { name: 'Alice Docs' });
  await app.db.prisma.device.create({ data: { id: 'docs-dev-1', name: 'Docs device' } });
  await app.db.prisma.deviceFollow.create({ data: { userId: alice.user.id, deviceId: 'docs-dev-1' } });
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
  await app?.close();
});

describe('/api/docs', () => {
  it('renders the API from local files only and runs requests with the session cookie', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 1400 } });
    await context.addCookies([{ name: 'pulse_session', value: alice.token, url: app.url }]);
    const page = await context.newPage();
    // Offline: anything not served by the API itself fails the test (no CDN, no fonts from elsewhere).
    const foreign: string[] = [];
    await page.route('**/*', (route) => {
      if (route.request().url().startsWith(app.url)) return route.continue();
      foreign.push(route.request().url());
      return route.abort();
    });
    const problems: string[] = [];
    page.on('console', (m) => m.type() === 'error' && problems.push(m.text()));
    page.on('pageerror', (e) => problems.push(e.message));

    await page.goto(`${app.url}/api/docs`);
    await page.locator('.swagger-ui .info .title', { hasText: 'Pulse API' }).waitFor();
    for (const tag of ['Auth', 'Exports', 'Files', 'Acquisition', 'Reports', 'Subscriptions', 'Operations']) {
      await page.locator(`#operations-tag-${tag}`).waitFor();
    }
    await page.screenshot({ path: `${SHOTS}/api-docs.png` });

    // GET with the cookie: who am I.
    const me = page.locator('#operations-Auth-getMe');
    await me.locator('.opblock-summary').click();
    await me.getByRole('button', { name: 'Execute' }).click();
    await me.locator('.live-responses-table tbody .response-col_status', { hasText: '200' }).waitFor();
    await me.locator('.live-responses-table tbody .microlight', { hasText: alice.user.email }).waitFor();

    // POST with the cookie: the page adds the CSRF header the API asks of cookie sessions.
    const create = page.locator('#operations-Exports-createExport');
    await create.locator('.opblock-summary').click();
    await create
      .locator('textarea.body-param__text')
      .fill('{"format": "csv", "from": "2026-01-01", "to": "2026-02-01"}');
    await create.getByRole('button', { name: 'Execute' }).click();
    await create.locator('.live-responses-table tbody .response-col_status', { hasText: '202' }).waitFor();
    await create.screenshot({ path: `${SHOTS}/api-docs-try-it.png` });

    const jobs = await app.db.prisma.exportJob.findMany({ where: { userId: alice.user.id } });
    expect(jobs.map((j) => j.format)).toEqual(['csv']);
    expect(foreign).toEqual([]);
    expect(problems).toEqual([]);
    await context.close();
  });
});
