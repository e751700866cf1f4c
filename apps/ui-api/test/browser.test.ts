import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Browser, Page } from 'playwright-core';
import { launchBrowser, SHOTS } from './browser-support';
import { startTestApp, type TestApp } from './harness';

let app: TestApp;
let browser: Browser;
let page: Page;

beforeAll(async () => {
  app = await startTestApp({ env: { DEBUG: '1' } });
  browser = await launchBrowser();
  const context = await browser.newContext({ acceptDownloads: true, viewport: { width: 1200, height: 760 } });
  page = await context.newPage();
});
afterAll(async () => {
  await browser?.close();
  await app?.close();
});

describe('browser UI', () => {
  const email = 'operator@example.com';

  it('signs in with the code from the email', async () => {
    await app.seed.user({ email, name: 'Operator' });
    await page.goto(app.url);
    await page.getByLabel('Email', { exact: true }).fill(email);
    const mark = app.smtp.messages.length;
    await page.getByRole('button', { name: 'Send me a code' }).click();
    const code = await app.otpFromMail(email, mark);
    await page.getByLabel('Code from the email').fill(code);
    await page.screenshot({ path: `${SHOTS}/login-code.png` });
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'My files' }).waitFor();
    expect(await page.getByText(email).isVisible()).toBe(true);
    expect(await page.getByRole('navigation', { name: 'Main' }).getByRole('link').first().textContent()).toBe(
      'My files',
    );
    await page.screenshot({ path: `${SHOTS}/files-empty.png` });
  });

  it('downloads a stored PDF through the redirect with the same bytes', async () => {
    const created = await page.evaluate(async () => {
      const res = await fetch('/api/v1/debug/s3/put-test-pdf', {
        method: 'POST',
        headers: { 'X-Requested-With': 'pulse' },
      });
      return (await res.json()) as { fileId: string };
    });
    await app.seed.file({
      ownerId: (await app.db.prisma.user.findUniqueOrThrow({ where: { email } })).id,
      filename: 'Télémétrie Oktober.csv',
      contentType: 'text/csv',
      kind: 'export',
      body: 'device,ts,value\n',
    });
    await page.reload();
    const row = page.getByRole('row').filter({ hasText: 'pulse-test-' });
    await row.waitFor();
    await page.screenshot({ path: `${SHOTS}/files-list.png` });

    const [download] = await Promise.all([
      page.waitForEvent('download'),
      row.getByRole('link', { name: /^Download/ }).click(),
    ]);
    expect(download.suggestedFilename()).toMatch(/^pulse-test-.*\.pdf$/);
    const bytes = await readFile((await download.path())!);
    expect(bytes.subarray(0, 5).toString()).toBe('%PDF-');
    const file = await app.db.prisma.artifactFile.findUniqueOrThrow({ where: { id: created.fileId } });
    expect(bytes.length).toBe(Number(file.sizeBytes));
    expect(createHash('sha256').update(bytes).digest('hex')).toBe(file.sha256);
  });

  it('signs out back to the sign-in form', async () => {
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('heading', { name: 'Sign in to Pulse' }).waitFor();
    await page.screenshot({ path: `${SHOTS}/signed-out.png` });
    const me = await page.evaluate(async () => (await fetch('/api/v1/me')).status);
    expect(me).toBe(401);
  });
});
