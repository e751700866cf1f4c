import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { type LoggedIn, startTestApp, type TestApp } from './harness';

let app: TestApp;
let admin: LoggedIn;
let user: LoggedIn;

beforeAll(async () => {
  app = await startTestApp({ env: { ACQUISITION_RECEIVERS: 'twente,kiwi-nl=kiwisdr://kiwi.example.org:8073' } });
  admin = await app.login('admin-rx@example.com', { role: 'admin' });
  user = await app.login('user-rx@example.com');
}, 60_000);
afterAll(async () => {
  await app?.close();
});

const call = async (method: string, path: string, who: LoggedIn, json?: unknown) => {
  const res = await app.request(path, { method, token: who.token, json });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null };
};
const KIWI = { id: 'kiwi-2', name: 'Kiwi two', kind: 'kiwisdr', host: 'kiwi2.example.org', port: 8073 };

describe('receivers registry API', () => {
  it('lists the seeded registry for admins only', async () => {
    const listed = await call('GET', '/api/v1/admin/receivers', admin);
    expect(listed.status).toBe(200);
    expect(listed.body.items.map((r: { id: string; kind: string }) => [r.id, r.kind])).toEqual([
      ['kiwi-nl', 'kiwisdr'],
      ['twente', 'synthetic'],
    ]);
    const denied = await call('GET', '/api/v1/admin/receivers', user);
    expect(denied).toMatchObject({ status: 403, body: { error: { code: 'admin_only' } } });
  });

  it('creates with defaults, keeps the password reference write-only, and refuses duplicates with 409', async () => {
    const created = await call('POST', '/api/v1/admin/receivers', admin, {
      ...KIWI,
      passwordRef: 'env:KIWI2_PASSWORD',
      latitude: 51.5,
      longitude: -0.1,
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ id: 'kiwi-2', hasPassword: true, maxSampleRate: 20_250, enabled: true });
    expect(JSON.stringify(created.body)).not.toContain('KIWI2_PASSWORD');
    const again = await call('GET', '/api/v1/admin/receivers/kiwi-2', admin);
    expect(JSON.stringify(again.body)).not.toContain('KIWI2_PASSWORD');

    expect(await call('POST', '/api/v1/admin/receivers', admin, { ...KIWI, host: 'other.example.org' })).toMatchObject({
      status: 409,
      body: { error: { code: 'duplicate_receiver' } },
    });
    expect(await call('POST', '/api/v1/admin/receivers', admin, { ...KIWI, id: 'kiwi-3' })).toMatchObject({
      status: 409,
      body: { error: { code: 'duplicate_address' } },
    });
  });

  it.each([
    ['a bad id', { ...KIWI, id: 'a/b' }],
    ['an unknown kind', { ...KIWI, id: 'x1', kind: 'websdr' }],
    ['a URL as host', { ...KIWI, id: 'x2', host: 'http://kiwi.example.org' }],
    ['port 0', { ...KIWI, id: 'x3', port: 0 }],
    ['a port as text', { ...KIWI, id: 'x4', port: '8073' }],
    ['a literal password', { ...KIWI, id: 'x5', passwordRef: 'hunter2' }],
    ['latitude 91', { ...KIWI, id: 'x6', latitude: 91, longitude: 0 }],
    ['latitude without longitude', { ...KIWI, id: 'x7', latitude: 10 }],
    ['an inverted range', { ...KIWI, id: 'x8', minFrequencyHz: 9_000_000, maxFrequencyHz: 1_000_000 }],
    ['a rate of 10 S/s', { ...KIWI, id: 'x9', maxSampleRate: 10 }],
    ['a KiwiSDR without address', { id: 'x10', name: 'x', kind: 'kiwisdr' }],
    ['an unknown field', { ...KIWI, id: 'x11', password: 'secret' }],
    ['no name', { ...KIWI, id: 'x12', name: ' ' }],
  ])('rejects %s with a 400 JSON error', async (_what, body) => {
    const res = await call('POST', '/api/v1/admin/receivers', admin, body);
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({ code: 'validation_error', message: expect.any(String) });
  });

  it('updates, disables (users no longer see or may use it) and deletes', async () => {
    const moved = await call('PATCH', '/api/v1/admin/receivers/kiwi-2', admin, { port: 8074, passwordRef: null });
    expect(moved).toMatchObject({ status: 200, body: { port: 8074, hasPassword: false } });
    expect((await call('PATCH', '/api/v1/admin/receivers/kiwi-2', admin, {})).status).toBe(400);
    expect((await call('PATCH', '/api/v1/admin/receivers/kiwi-2', admin, { kind: 'synthetic' })).status).toBe(400);
    expect((await call('PATCH', '/api/v1/admin/receivers/nope', admin, { name: 'n' })).status).toBe(404);

    const seen = async () =>
      (await call('GET', '/api/v1/acquisition/receivers', user)).body.items.map((r: { id: string }) => r.id);
    expect(await seen()).toContain('kiwi-2');
    await call('PATCH', '/api/v1/admin/receivers/kiwi-2', admin, { enabled: false });
    expect(await seen()).not.toContain('kiwi-2');
    const refused = await call('POST', '/api/v1/acquisition/acquire', user, {
      frequencyHz: 7_100_000,
      durationMs: 100,
      sampleRate: 12_000,
      receivers: ['kiwi-2'],
    });
    expect(refused).toMatchObject({ status: 400, body: { error: { code: 'unknown_receiver' } } });

    expect((await call('DELETE', '/api/v1/admin/receivers/kiwi-2', admin)).status).toBe(204);
    expect((await call('DELETE', '/api/v1/admin/receivers/kiwi-2', admin)).status).toBe(404);
  });

  it('refuses an acquisition a receiver cannot tune', async () => {
    await call('POST', '/api/v1/admin/receivers', admin, {
      id: 'rtl',
      name: 'RTL',
      kind: 'rtl_tcp',
      host: '10.0.0.9',
      port: 1234,
    });
    const res = await call('POST', '/api/v1/acquisition/acquire', user, {
      frequencyHz: 7_100_000,
      durationMs: 100,
      sampleRate: 48_000,
      receivers: ['rtl'],
    });
    expect(res).toMatchObject({ status: 400, body: { error: { code: 'frequency_out_of_range' } } });
  });

  it('cancels a queued acquisition for its owner: 202, then 409; someone else gets 404', async () => {
    const { body } = await call('POST', '/api/v1/acquisition/acquire', user, {
      frequencyHz: 7_100_000,
      durationMs: 100,
      sampleRate: 12_000,
      receivers: ['twente'],
    });
    const path = `/api/v1/acquisition/${body.taskId}/cancel`;
    expect((await call('POST', path, admin)).status).toBe(404);
    expect(await call('POST', path, user)).toMatchObject({ status: 202, body: { state: 'CANCELLED' } });
    expect((await call('GET', `/api/v1/acquisition/status/${body.taskId}`, user)).body).toMatchObject({
      state: 'CANCELLED',
      error: 'cancelled by the user',
    });
    expect(await call('POST', path, user)).toMatchObject({
      status: 409,
      body: { error: { code: 'already_finished' } },
    });
    expect((await call('POST', '/api/v1/acquisition/not-a-uuid/cancel', user)).status).toBe(400);
  });

  it('is in the OpenAPI document', async () => {
    const doc = (await (await app.request('/api/v1/openapi.json')).json()) as { paths: Record<string, object> };
    expect(Object.keys(doc.paths)).toContain('/api/v1/acquisition/{taskId}/cancel');
    expect(Object.keys(doc.paths['/api/v1/admin/receivers'] ?? {})).toEqual(expect.arrayContaining(['get', 'post']));
    expect(Object.keys(doc.paths['/api/v1/admin/receivers/{receiverId}'] ?? {})).toEqual(
      expect.arrayContaining(['get', 'patch', 'delete']),
    );
  });
});
