// Shared by the browser tests: Debian's Chromium through playwright-core, and pages opened as a
// signed-in user. Signing in through the login form itself is tested once, in browser.test.ts.
import { mkdir } from 'node:fs/promises';
import { type Browser, chromium, type Page } from 'playwright-core';
import type { LoggedIn, TestApp } from './harness';

/** Where the tests leave their screenshots, to be looked at. */
export const SHOTS = '/tmp/pulse-shots';

/**
 * Headless Chromium as this machine allows it: no sandbox (tests run as root) and no background
 * networking (the network is closed, and Chromium would keep trying).
 */
export async function launchBrowser(): Promise<Browser> {
  await mkdir(SHOTS, { recursive: true });
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
}

/** A new page with `session`'s cookie, opened at `#/{route}` once its level-1 heading shows. */
export async function signedInPage(
  browser: Browser,
  app: TestApp,
  session: LoggedIn,
  options: { route: string; heading: string; viewport: { width: number; height: number } },
): Promise<Page> {
  const context = await browser.newContext({ acceptDownloads: true, viewport: options.viewport });
  await context.addCookies([{ name: 'pulse_session', value: session.token, url: app.url }]);
  const page = await context.newPage();
  await page.goto(`${app.url}/#/${options.route}`);
  await page.getByRole('heading', { name: options.heading, level: 1 }).waitFor();
  return page;
}
