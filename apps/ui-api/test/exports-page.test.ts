import { parseCsv, waitFor } from '@pulse/testing';
import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Browser, Page } from 'playwright-core';
import { launchBrowser, SHOTS, signedInPage } from './browser-support';
import { FOLLOWED, seedTelemetry, telemetryRows } from './exports-fixtures';
import { type RunningWorker, startWorker } from './worker-process';
import { type LoggedIn, startTestApp, type TestApp } from './harness';

let app: TestApp;
let worker: RunningWorker;
let browser: Browser;
let alice: LoggedIn;

beforeAll(async () => {
  app = await startTestApp();
  worker = await startWorker(app, 'export-worker', { EXPORT_PROGRESS_THROTTLE_MS: '100' });
  alice = await app.login('alice-page@example.com');
  await seedTelemetry(app.db, alice.user.id, 3000);
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
  await worker?.stop();
  await app?.close();
});

const exportsPage = (session: LoggedIn): Promise<Page> =>
  signedInPage(browser, app, session, { route: 'exports', heading: 'Exports', viewport: { width: 1180, height: 760 } });

describe('Exports page', () => {
  it('starts an export, shows it finish, and downloads the file through the redirect', async () => {
    const page = await exportsPage(alice);
    await page.getByText('No exports yet').waitFor();
    await page.getByLabel('Format').selectOption('csv');
    await page.getByLabel('From (UTC, included)').fill('2026-10-01');
    await page.getByLabel('To (UTC, excluded)').fill('2026-11-01');
    await page.getByLabel('Devices').selectOption([FOLLOWED[0]!]);
    await page.screenshot({ path: `${SHOTS}/exports-form.png` });
    await page.getByRole('button', { name: 'Start export' }).click();

    const download = page.getByRole('link', { name: /^Download CSV export/ });
    await download.waitFor();
    await page.getByText('Ready', { exact: true }).waitFor();
    await page.screenshot({ path: `${SHOTS}/exports-list.png` });

    const [file] = await Promise.all([page.waitForEvent('download'), download.click()]);
    expect(file.suggestedFilename()).toBe('telemetry_2026-10-01_2026-11-01.csv');
    const [header, ...records] = parseCsv(await readFile((await file.path())!, 'utf8'));
    expect(header).toEqual(['ts', 'device_id', 'metric', 'value']);
    const expected = await telemetryRows(app.db, [FOLLOWED[0]!]);
    expect(records).toEqual(expected.map((r) => [r.ts.toISOString(), r.device_id, r.metric, String(r.value)]));
    await page.context().close();
  });

  it('shows API errors next to the form and deletes an export', async () => {
    const page = await exportsPage(alice);
    await page.getByRole('table', { name: 'My exports' }).waitFor();
    await page.getByLabel('From (UTC, included)').fill('2026-11-01');
    await page.getByLabel('To (UTC, excluded)').fill('2026-10-01');
    await page.getByRole('button', { name: 'Start export' }).click();
    await page.getByRole('alert').filter({ hasText: '"from" must be before "to"' }).waitFor();
    await page.screenshot({ path: `${SHOTS}/exports-error.png` });

    page.once('dialog', (dialog) => void dialog.accept());
    await page
      .getByRole('button', { name: /^Delete CSV export/ })
      .first()
      .click();
    await page.getByText('Export deleted.').waitFor();
    await page.getByText('No exports yet').waitFor();
    expect(await app.db.prisma.exportJob.count({ where: { userId: alice.user.id } })).toBe(0);
    await page.context().close();
  });

  it('tells a file lost from storage (Missing) apart from one past its retention (Expired)', async () => {
    const bob = await app.login('bob-page@example.com');
    await seedTelemetry(app.db, bob.user.id, 10);
    const files: string[] = [];
    for (const month of ['10', '11']) {
      const res = await app.request('/api/v1/exports', {
        method: 'POST',
        cookie: bob.cookie,
        json: { format: 'csv', from: `2026-${month}-01T00:00:00Z`, to: `2026-${month}-02T00:00:00Z` },
      });
      const { id } = (await res.json()) as { id: string };
      const job = await waitFor(async () => {
        const row = await app.db.prisma.exportJob.findUniqueOrThrow({ where: { id } });
        return row.fileId ? row : undefined;
      });
      files.push(job.fileId!);
    }
    // Cleanup-worker's two verdicts: no object behind the row, and retention over.
    await app.db.prisma.artifactFile.update({ where: { id: files[0]! }, data: { status: 'missing' } });
    await app.db.prisma.artifactFile.update({
      where: { id: files[1]! },
      data: { expiresAt: new Date(Date.now() - 1000) },
    });
    const page = await exportsPage(bob);
    await page.getByText('Missing', { exact: true }).waitFor();
    await page.getByText('File lost from storage; export again').waitFor();
    await page.getByText('Expired', { exact: true }).waitFor();
    expect(await page.getByRole('link', { name: /^Download CSV export/ }).count()).toBe(0);
    await page.screenshot({ path: `${SHOTS}/exports-missing-expired.png` });
    await page.context().close();
  });
});
