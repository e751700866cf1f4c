import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, expect, it } from '@jest/globals';
import type { Browser, Page } from 'playwright-core';
import { launchBrowser, SHOTS, signedInPage } from './browser-support';
import { type RunningWorker, startWorker } from './worker-process';
import { type LoggedIn, startTestApp, type TestApp } from './harness';

let app: TestApp;
let worker: RunningWorker;
let browser: Browser;
let alice: LoggedIn;

beforeAll(async () => {
  app = await startTestApp({ env: { ACQUISITION_RECEIVERS: 'twente,kiwi-de,hackgreen,nl-utwente' } });
  worker = await startWorker(app, 'acquisition-worker');
  alice = await app.login('alice-acq-page@example.com');
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
  await worker?.stop();
  await app?.close();
});

const acquisitionPage = (session: LoggedIn): Promise<Page> =>
  signedInPage(browser, app, session, {
    route: 'acquisition',
    heading: 'Acquisition',
    viewport: { width: 1180, height: 900 },
  });

it('starts an acquisition, shows its progress to the end, and downloads a .npy', async () => {
  const page = await acquisitionPage(alice);
  await page.getByText('No acquisitions yet.').waitFor();
  await page.getByLabel('Frequency (MHz)').fill('14.2');
  await page.getByLabel('Duration (ms)').fill('2000');
  await page.getByLabel('Sample rate').selectOption('96000');
  await page.getByRole('checkbox', { name: 'nl-utwente' }).uncheck();
  await page.screenshot({ path: `${SHOTS}/acquisition-form.png`, fullPage: true });
  await page.getByRole('button', { name: 'Start acquisition' }).click();

  await page.getByRole('heading', { name: 'Acquisition at 14.2 MHz' }).waitFor();
  const line = page.getByRole('status').filter({ hasText: 'receivers' });
  await line.filter({ hasText: 'Done: 3 of 3 receivers · 3 stored, 0 failed' }).waitFor();
  expect(await page.getByRole('progressbar', { name: 'Acquisition progress' }).getAttribute('value')).toBe('100');
  await page.getByRole('cell', { name: '3 receivers · 2000 ms at 96 kS/s' }).waitFor();
  await page.getByRole('button', { name: 'Show files' }).click();
  const npyLink = page.getByRole('link', { name: 'Download .npy of kiwi-de' });
  await npyLink.waitFor();
  await page.screenshot({ path: `${SHOTS}/acquisition-done.png`, fullPage: true });

  const [file] = await Promise.all([page.waitForEvent('download'), npyLink.click()]);
  expect(file.suggestedFilename()).toBe('websdr_kiwi-de.npy');
  const bytes = await readFile((await file.path())!);
  expect(bytes.subarray(0, 6).toString('latin1')).toBe('\x93NUMPY');
  expect(bytes.length).toBe(128 + 192_000 * 8);
  await page.context().close();
});

it('explains a request over the sample limit before sending it', async () => {
  const page = await acquisitionPage(alice);
  await page.getByLabel('Duration (ms)').fill('10000');
  await page.getByLabel('Sample rate').selectOption('2400000');
  await page.getByRole('button', { name: 'Start acquisition' }).click();
  await page.getByRole('alert').filter({ hasText: 'samples per receiver; the limit is' }).waitFor();
  await page.screenshot({ path: `${SHOTS}/acquisition-error.png` });
  await page.context().close();
});
