import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import pg from 'pg';
import { FOLLOWED, NOT_FOLLOWED, RANGE, seedTelemetry } from './exports-fixtures';
import { type LoggedIn, startTestApp, type TestApp } from './harness';

let app: TestApp;
let alice: LoggedIn;

// No worker and no relay: requests stay queued, which is what the running-exports cap counts.
beforeAll(async () => {
  app = await startTestApp({
    outboxRelay: false,
    env: { EXPORT_MAX_RANGE_DAYS: '400', EXPORT_MAX_RUNNING_PER_USER: '2' },
  });
  alice = await app.login('alice-validation@example.com');
  await seedTelemetry(app.db, alice.user.id, 10);
});
afterAll(async () => {
  await app?.close();
});

const post = (body: unknown, who: LoggedIn = alice) =>
  app.request('/api/v1/exports', { method: 'POST', token: who.token, json: body });

const BAD: Array<[string, unknown, number, string]> = [
  ['from after to', { format: 'csv', from: RANGE.to, to: RANGE.from }, 400, 'invalid_range'],
  ['from equal to', { format: 'csv', from: RANGE.from, to: RANGE.from }, 400, 'invalid_range'],
  ['range longer than 400 days', { format: 'csv', from: '2025-01-01', to: '2026-03-01' }, 400, 'range_too_long'],
  ['unknown device', { format: 'csv', ...RANGE, deviceIds: ['no-such-device'] }, 403, 'forbidden_device'],
  ['device not followed', { format: 'csv', ...RANGE, deviceIds: [FOLLOWED[0], NOT_FOLLOWED] }, 403, 'forbidden_device'],
  ['unsupported format', { format: 'pdf', ...RANGE }, 400, 'validation_error'],
  ['missing format', { ...RANGE }, 400, 'validation_error'],
  ['missing from', { format: 'csv', to: RANGE.to }, 400, 'validation_error'],
  ['missing to', { format: 'csv', from: RANGE.from }, 400, 'validation_error'],
  ['date that is not a date', { format: 'csv', from: '2026-13-45', to: RANGE.to }, 400, 'validation_error'],
  ['timestamp without offset', { format: 'csv', from: '2026-10-01T00:00:00', to: RANGE.to }, 400, 'validation_error'],
  ['number instead of a date', { format: 'csv', from: 1_790_000_000_000, to: RANGE.to }, 400, 'validation_error'],
  ['deviceIds as a string', { format: 'csv', ...RANGE, deviceIds: FOLLOWED[0] }, 400, 'validation_error'],
  ['empty deviceIds', { format: 'csv', ...RANGE, deviceIds: [] }, 400, 'validation_error'],
  ['metrics with a non-string', { format: 'csv', ...RANGE, metrics: [42] }, 400, 'validation_error'],
  ['extra field', { format: 'csv', ...RANGE, owner: 'someone-else' }, 400, 'validation_error'],
  ['body is an array', [{ format: 'csv', ...RANGE }], 400, 'validation_error'],
  ['body is null', null, 400, 'invalid_json'],
];

describe('POST /api/v1/exports rejects bad input with 4xx JSON, never a 500', () => {
  it.each(BAD)('%s', async (_name, body, status, code) => {
    const res = await post(body);
    expect(res.status).toBe(status);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    const json = (await res.json()) as { error: { code: string; message: string } };
    expect(json.error.code).toBe(code);
    expect(json.error.message).toEqual(expect.any(String));
  });

  it('names only the device that was asked for, never the ones the user may not see', async () => {
    const res = await post({ format: 'csv', ...RANGE, deviceIds: ['no-such-device'] });
    const { error } = (await res.json()) as { error: { message: string } };
    expect(error.message).toContain('no-such-device');
    expect(error.message).not.toContain(NOT_FOLLOWED);
  });

  it('rejects malformed JSON and ids that are not UUIDs as 400', async () => {
    const raw = await app.request('/api/v1/exports', {
      method: 'POST',
      token: alice.token,
      headers: { 'content-type': 'application/json' },
      body: '{"format": "csv",',
    });
    expect(raw.status).toBe(400);
    for (const path of [
      '/api/v1/exports/not-a-uuid',
      '/api/v1/exports/not-a-uuid/download',
      '/api/v1/exports?limit=0',
      '/api/v1/exports?cursor=garbage',
    ]) {
      const res = await app.request(path, { token: alice.token });
      expect(res.status).toBe(400);
    }
  });

  it('needs a session, and the CSRF header for cookie sessions', async () => {
    expect((await app.request('/api/v1/exports', { method: 'POST', json: { format: 'csv', ...RANGE } })).status).toBe(
      401,
    );
    const noCsrf = await app.request('/api/v1/exports', {
      method: 'POST',
      cookie: alice.cookie,
      csrf: false,
      json: { format: 'csv', ...RANGE },
    });
    expect(noCsrf.status).toBe(403);
  });

  it('answers 400 when the user follows no device', async () => {
    const loner = await app.login('loner@example.com');
    const res = await post({ format: 'csv', ...RANGE }, loner);
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('no_devices');
  });

  it('caps the exports a user may have in progress: the third is 429, and its job and event are not written', async () => {
    expect((await post({ format: 'csv', ...RANGE })).status).toBe(202);
    const second = await post({ format: 'xlsx', ...RANGE, deviceIds: [FOLLOWED[1]], metrics: ['temperature'] });
    expect(second.status).toBe(202);
    const { id } = (await second.json()) as { id: string };

    const third = await post({ format: 'ndjson', ...RANGE });
    expect(third.status).toBe(429);
    expect(((await third.json()) as { error: { code: string } }).error.code).toBe('rate_limited');
    expect(await app.db.prisma.exportJob.count({ where: { userId: alice.user.id } })).toBe(2);

    // The job and its outbox event were written together, with the dedup id the relay publishes under.
    const job = await app.db.prisma.exportJob.findUniqueOrThrow({ where: { id } });
    expect(job).toMatchObject({ status: 'queued', format: 'xlsx', deviceIds: [FOLLOWED[1]], metrics: ['temperature'] });
    const outbox = await app.db.prisma.outboxEvent.findUniqueOrThrow({ where: { msgId: `export:${id}` } });
    expect(outbox).toMatchObject({ subject: 'export.requested', payload: { exportId: id }, publishedAt: null });
  });
  it("answers a burst while another replica holds the user's lock with 202s and 429s only, and keeps serving others", async () => {
    const burster = await app.login('burst-validation@example.com');
    await seedTelemetry(app.db, burster.user.id, 10);
    // Another replica in the middle of creating this user's export (the lock createExportJob takes).
    const replica = new pg.Client({ connectionString: app.config.db.url });
    await replica.connect();
    await replica.query('SELECT pg_advisory_lock(hashtext($1))', [`exports:${burster.user.id}`]);
    // Four times the app's pool (DATABASE_POOL_MAX 5), waiting longer than Prisma waits for a connection:
    // requests parked on the lock inside their transactions would starve the pool and answer 500/503.
    const burst = Array.from({ length: 20 }, () => post({ format: 'csv', ...RANGE }, burster));
    try {
      await new Promise((r) => setTimeout(r, 2500));
      const other = await app.request('/api/v1/exports', { token: alice.token });
      expect(other.status).toBe(200);
    } finally {
      await replica.end();
    }
    const statuses = (await Promise.all(burst)).map((r) => r.status).sort();
    expect(statuses).toEqual([...Array(2).fill(202), ...Array(18).fill(429)]);
    expect(await app.db.prisma.exportJob.count({ where: { userId: burster.user.id } })).toBe(2);
  });
});
