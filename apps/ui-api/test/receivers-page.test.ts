import { afterAll, beforeAll, expect, it } from '@jest/globals';
import type { Browser, Page } from 'playwright-core';
// The protocol peers live with the worker's tests; here they stand in for receivers on the network.
import { type KiwiPeer, startKiwiPeer, type RtlTcpPeer, startRtlTcpPeer } from '@pulse/testing/receiver-peers';
import { launchBrowser, SHOTS, signedInPage } from './browser-support';
import { type LoggedIn, startTestApp, type TestApp } from './harness';
import { type RunningWorker, startWorker } from './worker-process';

let app: TestApp;
let worker: RunningWorker;
let browser: Browser;
let admin: LoggedIn;
let peers: { kiwiA: KiwiPeer; kiwiB: KiwiPeer; rtl: RtlTcpPeer };

beforeAll(async () => {
  app = await startTestApp({ env: { ACQUISITION_RECEIVERS: 'twente' } });
  worker = await startWorker(app, 'acquisition-worker');
  admin = await app.login('admin-rx-page@example.com', { role: 'admin' });
  peers = {
    kiwiA: await startKiwiPeer({ tone: { offsetHz: 1500, amplitude: 0.5 } }),
    kiwiB: await startKiwiPeer({ tone: { offsetHz: -900, amplitude: 0.3 }, sampleRate: 20_250 }),
    rtl: await startRtlTcpPeer({ tone: { offsetHz: 6_000, amplitude: 0.7 } }),
  };
  browser = await launchBrowser();
}, 60_000);
afterAll(async () => {
  await browser?.close();
  for (const p of Object.values(peers ?? {})) await p.close();
  await worker?.stop();
  await app?.close();
});

const open = (route: string, heading: string): Promise<Page> =>
  signedInPage(browser, app, admin, { route, heading, viewport: { width: 1280, height: 900 } });

it('registers two KiwiSDRs and an rtl_tcp receiver, then captures from them with live progress', async () => {
  const page = await open('receivers', 'Receivers');
  const add = async (id: string, kind: string, port: number) => {
    await page.getByLabel('Id').fill(id);
    await page.getByLabel('Name').fill(`Emulated ${id}`);
    await page.getByLabel('Kind').selectOption(kind);
    await page.getByLabel('Host').fill('127.0.0.1');
    await page.getByLabel('Port').fill(String(port));
    await page.getByRole('button', { name: 'Add receiver' }).click();
    await page.getByRole('cell', { name: `Emulated ${id}` }).waitFor();
  };
  await add('kiwi-a', 'kiwisdr', peers.kiwiA.port);
  await add('kiwi-b', 'kiwisdr', peers.kiwiB.port);
  await add('rtl', 'rtl_tcp', peers.rtl.port);
  // A duplicate address is refused with the API's reason.
  await page.getByLabel('Id').fill('kiwi-c');
  await page.getByLabel('Name').fill('Copy');
  await page.getByLabel('Host').fill('127.0.0.1');
  await page.getByLabel('Port').fill(String(peers.kiwiA.port));
  await page.getByRole('button', { name: 'Add receiver' }).click();
  await page.getByRole('alert').filter({ hasText: 'already uses 127.0.0.1' }).waitFor();
  await page.getByRole('button', { name: 'Disable twente' }).click();
  await page.getByRole('button', { name: 'Enable twente' }).waitFor();
  await page.screenshot({ path: `${SHOTS}/receivers-admin.png`, fullPage: true });
  await page.context().close();

  const acq = await open('acquisition', 'Acquisition');
  await acq.getByRole('checkbox', { name: 'Emulated kiwi-a' }).waitFor();
  expect(await acq.getByRole('checkbox', { name: 'twente' }).count()).toBe(0);
  // Inside both kinds' ranges: KiwiSDR up to 30 MHz, rtl_tcp from 24 MHz.
  await acq.getByLabel('Frequency (MHz)').fill('28.5');
  await acq.getByLabel('Duration (ms)').fill('3000');
  await acq.getByLabel('Sample rate').selectOption('48000');
  await acq.getByRole('button', { name: 'Start acquisition' }).click();
  const line = acq.getByRole('status').filter({ hasText: 'receivers' });
  await line.filter({ hasText: 'Capturing' }).waitFor();
  // The capture's wall-clock time moves the bar while no receiver has finished yet.
  await line.filter({ hasText: /Capturing: [12] s of 3 s · 0 of 3 receivers/ }).waitFor();
  const mid = Number(await acq.getByRole('progressbar', { name: 'Acquisition progress' }).getAttribute('value'));
  expect(mid).toBeGreaterThan(0);
  expect(mid).toBeLessThan(80);
  await acq.screenshot({ path: `${SHOTS}/receivers-capturing.png`, fullPage: true });
  await line.filter({ hasText: 'Done: 3 of 3 receivers · 3 stored, 0 failed' }).waitFor({ timeout: 30_000 });
  await acq.getByRole('button', { name: 'Show files' }).click();
  await acq.getByRole('link', { name: 'Download .npy of kiwi-b' }).waitFor();
  await acq.screenshot({ path: `${SHOTS}/receivers-capture-done.png`, fullPage: true });
  await acq.context().close();

  // The registry now knows they answered.
  const res = await app.request('/api/v1/acquisition/receivers', { token: admin.token });
  const { items } = (await res.json()) as { items: { id: string; status: string }[] };
  expect(items.map((r) => [r.id, r.status])).toEqual([
    ['kiwi-a', 'online'],
    ['kiwi-b', 'online'],
    ['rtl', 'online'],
  ]);
});
