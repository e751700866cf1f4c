import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Browser } from 'playwright-core';
import { launchBrowser, SHOTS, signedInPage } from './browser-support';
import { freePort, startTestApp, type TestApp } from './harness';

// The whole browser upload path: pick file → presigned PUT with progress → complete → listed →
// download → delete. With the s3 backend the page PUTs cross-origin straight to RGW, which allows it
// only because ui-api set the bucket's CORS rule for its own origin; the local backend keeps the
// upload on the API's origin.
let browser: Browser;
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'pulse-ui-upload-'));
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

async function startApp(backend: 'local' | 's3'): Promise<TestApp> {
  const port = await freePort();
  const origin = `http://127.0.0.1:${port}`;
  const local = {
    STORAGE_BACKEND: 'local',
    LOCAL_STORAGE_DIR: path.join(dir, 'storage'),
    LOCAL_STORAGE_SIGNING_KEY: 'browser-upload-signing-key-0123456789',
    LOCAL_STORAGE_PUBLIC_URL: origin,
  };
  return startTestApp({
    env: { HTTP_PORT: String(port), PUBLIC_BASE_URL: origin, ...(backend === 'local' ? local : {}) },
  });
}

describe.each(['s3', 'local'] as const)('browser upload (%s storage backend)', (backend) => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startApp(backend);
  });
  afterAll(async () => {
    await app?.close();
  });

  it('uploads a file, lists it, downloads the same bytes, deletes it', async () => {
    const session = await app.login(`uploader-${backend}@example.com`);
    const page = await signedInPage(browser, app, session, {
      route: 'files',
      heading: 'My files',
      viewport: { width: 1200, height: 700 },
    });

    const local = path.join(dir, 'Straße Messung.csv');
    const bytes = Buffer.from(`device,value\n${'d1,1.25\n'.repeat(2000)}`);
    await writeFile(local, bytes);
    await page.locator('#upload').setInputFiles(local);
    await page.getByText('Straße Messung.csv uploaded.').waitFor();
    await page.screenshot({ path: `${SHOTS}/upload-done-${backend}.png` });
    const stored = await app.db.prisma.artifactFile.findFirstOrThrow({
      where: { originalFilename: 'Straße Messung.csv' },
    });
    expect(stored).toMatchObject({ status: 'ready', sizeBytes: BigInt(bytes.length) });
    // The bytes really are in the backend (RGW for s3), not only in the database.
    expect((await app.storage.head(stored.bucket, stored.objectKey))?.size).toBe(bytes.length);

    const row = page.getByRole('row').filter({ hasText: 'Straße Messung.csv' });
    const [download] = await Promise.all([page.waitForEvent('download'), row.getByRole('link').click()]);
    expect(download.suggestedFilename()).toBe('Straße Messung.csv');
    expect((await readFile((await download.path())!)).equals(bytes)).toBe(true);

    page.once('dialog', (d) => void d.accept());
    await row.getByRole('button', { name: /^Delete/ }).click();
    await page.getByText('No files yet.').waitFor();
    expect(await app.db.prisma.artifactFile.count({ where: { status: 'deleted' } })).toBe(1);
  });
});
