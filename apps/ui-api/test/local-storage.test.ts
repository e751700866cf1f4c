import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { type LoggedIn, startTestApp, type TestApp } from './harness';

let app: TestApp;
let dir: string;
let alice: LoggedIn;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'pulse-local-'));
  app = await startTestApp({
    env: {
      STORAGE_BACKEND: 'local',
      LOCAL_STORAGE_DIR: dir,
      LOCAL_STORAGE_SIGNING_KEY: 'local-signing-key-for-tests-0123456789',
    },
  });
  alice = await app.login('alice@example.com');
});
afterAll(async () => {
  await app?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** Signed URLs carry the configured public base URL; the test app listens on a random port. */
const onApp = (url: string) => {
  const u = new URL(url);
  return new URL(`${u.pathname}${u.search}`, app.url).toString();
};

describe('STORAGE_BACKEND=local', () => {
  const bytes = Buffer.from(Array.from({ length: 1000 }, (_, i) => i % 251));
  let fileId: string;

  it('uploads through the signed API PUT and completes', async () => {
    const started = await app.request('/api/v1/files/uploads', {
      method: 'POST',
      token: alice.token,
      json: { filename: 'Messdaten ü.json', contentType: 'application/json', size: bytes.length },
    });
    expect(started.status).toBe(201);
    const up = (await started.json()) as { fileId: string; uploadUrl: string; headers: Record<string, string> };
    fileId = up.fileId;
    expect(new URL(up.uploadUrl).pathname.startsWith('/api/v1/local-storage/')).toBe(true);

    const wrongType = await fetch(onApp(up.uploadUrl), {
      method: 'PUT',
      headers: { 'content-type': 'text/plain' },
      body: bytes,
    });
    expect(wrongType.status).toBe(403);
    const put = await fetch(onApp(up.uploadUrl), { method: 'PUT', headers: up.headers, body: bytes });
    expect(put.status).toBe(200);
    const done = await app.request(`/api/v1/files/${fileId}/complete`, { method: 'POST', token: alice.token });
    expect(done.status).toBe(200);
  });

  it('downloads through the redirect with the filename, and serves byte ranges', async () => {
    const res = await app.request(`/api/v1/files/${fileId}/download`, { token: alice.token });
    expect(res.status).toBe(302);
    const location = onApp(res.headers.get('location')!);
    const full = await fetch(location);
    expect(full.status).toBe(200);
    expect(full.headers.get('accept-ranges')).toBe('bytes');
    expect(decodeURIComponent(full.headers.get('content-disposition')!.split("UTF-8''")[1]!)).toBe('Messdaten ü.json');
    expect(Buffer.from(await full.arrayBuffer()).equals(bytes)).toBe(true);

    const part = await fetch(location, { headers: { range: 'bytes=10-19' } });
    expect(part.status).toBe(206);
    expect(part.headers.get('content-range')).toBe(`bytes 10-19/${bytes.length}`);
    expect(Buffer.from(await part.arrayBuffer()).equals(bytes.subarray(10, 20))).toBe(true);

    const suffix = await fetch(location, { headers: { range: 'bytes=-5' } });
    expect(suffix.status).toBe(206);
    expect(Buffer.from(await suffix.arrayBuffer()).equals(bytes.subarray(-5))).toBe(true);

    const beyond = await fetch(location, { headers: { range: `bytes=${bytes.length}-` } });
    expect(beyond.status).toBe(416);
    expect(beyond.headers.get('content-range')).toBe(`bytes */${bytes.length}`);
    await beyond.arrayBuffer();
  });

  it('refuses tampered and expired signatures with 403', async () => {
    const res = await app.request(`/api/v1/files/${fileId}/download-url?expiry_sec=1`, { token: alice.token });
    const { url, backend } = (await res.json()) as { url: string; backend: string };
    expect(backend).toBe('local');
    const tampered = new URL(onApp(url));
    const sig = tampered.searchParams.get('sig')!;
    tampered.searchParams.set('sig', (sig[0] === 'a' ? 'b' : 'a') + sig.slice(1));
    const bad = await fetch(tampered);
    expect(bad.status).toBe(403);
    expect(await bad.json()).toMatchObject({ error: { code: 'signature_invalid' } });

    const otherFile = new URL(onApp(url));
    otherFile.pathname = otherFile.pathname.replace(/[^/]+$/, 'other.json');
    expect((await fetch(otherFile)).status).toBe(403);

    await new Promise((r) => setTimeout(r, 2100));
    const expired = await fetch(onApp(url));
    expect(expired.status).toBe(403);
    expect(await expired.json()).toMatchObject({ error: { code: 'url_expired' } });
  });

  it('logs no signatures', () => {
    expect(app.logs.text).not.toMatch(/sig=/);
    expect(app.logs.text).not.toContain(alice.token);
  });
});
