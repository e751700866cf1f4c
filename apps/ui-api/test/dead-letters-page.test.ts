import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { PermanentError } from '@pulse/bus';
import type { Browser } from 'playwright-core';
import { launchBrowser, SHOTS, signedInPage } from './browser-support';
import { type LoggedIn, startTestApp, type TestApp } from './harness';

let app: TestApp;
let browser: Browser;
let admin: LoggedIn;

beforeAll(async () => {
  app = await startTestApp();
  admin = await app.login('admin-dlq-page@example.com', { role: 'admin' });
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
  await app?.close();
});

it('lists dead letters with their reason and replays one, recorded with who did it', async () => {
  await app.db.prisma.device.create({ data: { id: 'dlq-dev', name: 'Boiler' } });
  await app.db.prisma.deviceFollow.create({ data: { userId: admin.user.id, deviceId: 'dlq-dev' } });
  const res = await app.request('/api/v1/exports', {
    method: 'POST',
    token: admin.token,
    json: { format: 'csv', from: '2026-03-01', to: '2026-04-01' },
  });
  expect(res.status).toBe(202);
  const exportId = ((await res.json()) as { id: string }).id;
  // No export-worker here: this consumer plays one that gives up on the job.
  const consumer = await app.bus.consume(
    'export.requested',
    async () => {
      throw new PermanentError('could not store the file (bucket missing)');
    },
    { durable: 'page-poison' },
  );
  while ((await app.bus.deadLetters.list()).length === 0) await new Promise((r) => setTimeout(r, 50));
  await consumer.stop();
  await app.db.pool.query(`UPDATE export_jobs SET status = 'failed' WHERE id = $1`, [exportId]);
  const [dead] = await app.bus.deadLetters.list();

  const page = await signedInPage(browser, app, admin, {
    route: 'dead-letters',
    heading: 'Dead letters',
    viewport: { width: 1280, height: 800 },
  });
  const row = page.getByRole('row').filter({ hasText: 'could not store the file (bucket missing)' });
  await expect(row.textContent()).resolves.toContain('export.requested');
  await page.screenshot({ path: `${SHOTS}/dead-letters.png` });

  await page.getByRole('button', { name: `Replay ${dead!.seq}` }).click();
  await page.getByText(`Dead letter ${dead!.seq} replayed`).waitFor();
  await page.getByText('No dead letters').waitFor();
  const history = page.getByRole('row').filter({ hasText: `admin:${admin.user.id}` });
  await expect(history.textContent()).resolves.toContain('replay');
  await page.screenshot({ path: `${SHOTS}/dead-letters-replayed.png` });

  expect((await app.db.prisma.exportJob.findUniqueOrThrow({ where: { id: exportId } })).status).toBe('queued');
  expect(await app.db.prisma.deadLetterAction.findMany({ select: { action: true, actor: true } })).toEqual([
    { action: 'replay', actor: `admin:${admin.user.id}` },
  ]);
});
