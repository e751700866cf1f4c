import { randomUUID } from 'node:crypto';
import { eventually, parseCsv } from '@pulse/testing';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import ExcelJS from 'exceljs';
import { createExportEventHub } from '../src/exports/export-event-hub';
import { FOLLOWED, NOT_FOLLOWED, RANGE, seedTelemetry, telemetryRows } from './exports-fixtures';
import { type RunningWorker, startWorker } from './worker-process';
import { type LoggedIn, startTestApp, type TestApp } from './harness';

let app: TestApp;
let worker: RunningWorker;
let alice: LoggedIn;
let bob: LoggedIn;

beforeAll(async () => {
  app = await startTestApp();
  worker = await startWorker(app, 'export-worker', { EXPORT_PROGRESS_THROTTLE_MS: '100' });
  alice = await app.login('alice-exports@example.com');
  bob = await app.login('bob-exports@example.com');
  await seedTelemetry(app.db, alice.user.id);
});
afterAll(async () => {
  await worker?.stop();
  await app?.close();
});

interface ExportItem {
  id: string;
  status: string;
  rowsDone: number;
  sizeBytes: number | null;
  error: string | null;
  downloadUrl: string | null;
  filename: string | null;
}

async function requestExport(who: LoggedIn, body: Record<string, unknown>): Promise<string> {
  const res = await app.request('/api/v1/exports', { method: 'POST', cookie: who.cookie, json: body });
  expect(res.status).toBe(202);
  const created = (await res.json()) as { id: string; status: string };
  expect(created.status).toBe('queued');
  return created.id;
}

async function waitForExport(who: LoggedIn, id: string): Promise<ExportItem> {
  for (;;) {
    const res = await app.request(`/api/v1/exports/${id}`, { token: who.token });
    const item = (await res.json()) as ExportItem;
    if (item.status === 'succeeded' || item.status === 'failed') return item;
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Reads a server-sent event stream until the server ends it (`ended`) or `ms` pass; returns what arrived. */
async function readUntilEnd(
  reader: ReadableStreamDefaultReader<Uint8Array>,
  ms: number,
): Promise<{ ended: boolean; text: string }> {
  let text = '';
  const ended = (async () => {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return true;
      text += Buffer.from(value).toString('utf8');
    }
  })();
  const timeout = new Promise<false>((resolve) => setTimeout(() => resolve(false), ms).unref());
  return { ended: await Promise.race([ended, timeout]), text };
}

/** Follows the API's 302 with a plain fetch, as a browser would: no credentials, just the presigned URL. */
async function download(who: LoggedIn, id: string): Promise<{ bytes: Buffer; disposition: string; type: string }> {
  const res = await app.request(`/api/v1/exports/${id}/download`, { token: who.token });
  expect(res.status).toBe(302);
  expect(res.headers.get('cache-control')).toBe('no-store');
  const object = await fetch(res.headers.get('location')!);
  expect(object.status).toBe(200);
  return {
    bytes: Buffer.from(await object.arrayBuffer()),
    disposition: object.headers.get('content-disposition') ?? '',
    type: object.headers.get('content-type') ?? '',
  };
}

describe('exports end to end (API -> outbox -> NATS -> export-worker -> RGW -> 302)', () => {
  it('CSV: every followed row, in order, under telemetry_{from}_{to}.csv', async () => {
    const id = await requestExport(alice, { format: 'csv', ...RANGE });
    const item = await waitForExport(alice, id);
    const expected = await telemetryRows(app.db, FOLLOWED);
    expect(item).toMatchObject({
      status: 'succeeded',
      rowsDone: expected.length,
      downloadUrl: `/api/v1/exports/${id}/download`,
    });

    const { bytes, disposition, type } = await download(alice, id);
    expect(disposition).toContain('attachment; filename="telemetry_2026-10-01_2026-11-01.csv"');
    expect(type).toMatch(/^text\/csv/);
    expect(item.sizeBytes).toBe(bytes.length);
    const [header, ...records] = parseCsv(bytes.toString('utf8'));
    expect(header).toEqual(['ts', 'device_id', 'metric', 'value']);
    expect(records).toEqual(expected.map((r) => [r.ts.toISOString(), r.device_id, r.metric, String(r.value)]));
  });

  it('NDJSON: one JSON object per row, for the chosen device and metric', async () => {
    const id = await requestExport(alice, {
      format: 'ndjson',
      ...RANGE,
      deviceIds: [FOLLOWED[1]],
      metrics: ['say "hi", \\o/'],
    });
    expect((await waitForExport(alice, id)).status).toBe('succeeded');
    const { bytes, disposition } = await download(alice, id);
    expect(disposition).toContain('filename="telemetry_2026-10-01_2026-11-01.ndjson"');
    const expected = (await telemetryRows(app.db, [FOLLOWED[1]!])).filter((r) => r.metric === 'say "hi", \\o/');
    expect(expected.length).toBeGreaterThan(0);
    const lines = bytes.toString('utf8').trimEnd().split('\n');
    expect(lines.map((l) => JSON.parse(l))).toEqual(
      expected.map((r) => ({ ts: r.ts.toISOString(), device_id: r.device_id, metric: r.metric, value: r.value })),
    );
  });

  it('XLSX: a real workbook with typed cells that reads back to the rows', async () => {
    const id = await requestExport(alice, {
      format: 'xlsx',
      from: '2026-10-02T00:00:00Z',
      to: '2026-10-05T12:00:00+02:00',
    });
    expect((await waitForExport(alice, id)).status).toBe('succeeded');
    const { bytes, disposition } = await download(alice, id);
    expect(disposition).toContain('filename="telemetry_2026-10-02_2026-10-05.xlsx"');
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(bytes as unknown as ArrayBuffer);
    const sheet = workbook.worksheets[0]!;
    const data: unknown[][] = [];
    sheet.eachRow((row, n) => {
      if (n > 1) data.push((row.values as unknown[]).slice(1));
    });
    const expected = await telemetryRows(app.db, FOLLOWED, {
      from: '2026-10-02T00:00:00Z',
      to: '2026-10-05T10:00:00Z',
    });
    expect(data).toEqual(expected.map((r) => [r.ts, r.device_id, r.metric, r.value]));
  });

  it('streams progress and completion over server-sent events', async () => {
    const controller = new AbortController();
    const res = await app.request('/api/v1/exports/events', { token: alice.token, signal: controller.signal });
    expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const id = await requestExport(alice, { format: 'csv', ...RANGE, deviceIds: [FOLLOWED[0]] });
    const reader = res.body!.getReader();
    let text = '';
    while (!text.includes(`"exportId":"${id}","status":"succeeded"`)) {
      const { value, done } = await reader.read();
      if (done) break;
      text += Buffer.from(value).toString('utf8');
    }
    controller.abort();
    expect(text).toContain('event: completed');
    expect(text).not.toContain('userId');
  });

  it('caps progress streams per user (429 beyond); closed ones free their places', async () => {
    const carol = await app.login('carol-streams@example.com');
    const controllers: AbortController[] = [];
    const open = async (token: string) => {
      const controller = new AbortController();
      controllers.push(controller);
      return app.request('/api/v1/exports/events', { token, signal: controller.signal });
    };
    try {
      const max = app.config.app.exports.maxEventStreamsPerUser;
      for (let i = 0; i < max; i++) expect((await open(carol.token)).status).toBe(200);
      const refused = await open(carol.token);
      expect(refused.status).toBe(429);
      expect(await refused.json()).toMatchObject({ error: { code: 'rate_limited' } });
      // Someone else's streams are their own.
      expect((await open(alice.token)).status).toBe(200);
    } finally {
      for (const c of controllers) c.abort();
    }
    // Closed streams free their places.
    await eventually(async () => {
      const again = await open(carol.token);
      expect(again.status).toBe(200);
    });
    for (const c of controllers) c.abort();
  });

  it('ends a progress stream when its session is signed out or revoked elsewhere', async () => {
    for (const end of ['logout', 'revoked'] as const) {
      const dave = await app.login(`dave-${end}@example.com`);
      const controller = new AbortController();
      const res = await app.request('/api/v1/exports/events', { token: dave.token, signal: controller.signal });
      expect(res.status).toBe(200);
      const reader = res.body!.getReader();
      await reader.read(); // the retry line: the stream is open
      if (end === 'logout') {
        expect((await app.request('/api/v1/auth/logout', { method: 'POST', token: dave.token })).status).toBe(204);
      } else {
        await app.db.pool.query('UPDATE auth_sessions SET revoked_at = now() WHERE user_id = $1', [dave.user.id]);
      }
      const { ended, text } = await readUntilEnd(reader, 5000);
      controller.abort();
      expect(ended).toBe(true);
      expect(text).toContain('event: session-ended');
    }
  });

  it('lists my exports newest first, page by page', async () => {
    const first = await app.request('/api/v1/exports?limit=2', { token: alice.token });
    const page1 = (await first.json()) as { items: ExportItem[]; nextCursor: string | null };
    expect(page1.items).toHaveLength(2);
    expect(page1.nextCursor).toEqual(expect.any(String));
    const second = await app.request(`/api/v1/exports?limit=2&cursor=${page1.nextCursor}`, { token: alice.token });
    const page2 = (await second.json()) as { items: ExportItem[] };
    const ids = [...page1.items, ...page2.items].map((i) => i.id);
    expect(new Set(ids).size).toBe(ids.length);
    const bobs = (await (await app.request('/api/v1/exports', { token: bob.token })).json()) as { items: unknown[] };
    expect(bobs.items).toEqual([]);
  });

  it("answers 404 to another user's get, download and delete", async () => {
    const id = await requestExport(alice, { format: 'csv', ...RANGE });
    await waitForExport(alice, id);
    for (const [method, path] of [
      ['GET', `/api/v1/exports/${id}`],
      ['GET', `/api/v1/exports/${id}/download`],
      ['DELETE', `/api/v1/exports/${id}`],
    ] as const) {
      const res = await app.request(path, { method, token: bob.token });
      expect(res.status).toBe(404);
      expect(await res.json()).toEqual({ error: { code: 'not_found', message: 'export not found' } });
    }
    expect((await app.request(`/api/v1/exports/${id}`, { token: alice.token })).status).toBe(200);
  });

  it('deletes the object, the file row, the artifact and the job', async () => {
    const id = await requestExport(alice, { format: 'csv', ...RANGE });
    await waitForExport(alice, id);
    const job = await app.db.prisma.exportJob.findUniqueOrThrow({ where: { id }, include: { file: true } });
    const file = job.file!;
    expect(await app.storage.exists(file.bucket, file.objectKey)).toBe(true);

    const res = await app.request(`/api/v1/exports/${id}`, { method: 'DELETE', cookie: alice.cookie });
    expect(res.status).toBe(204);
    expect(await app.storage.exists(file.bucket, file.objectKey)).toBe(false);
    expect(await app.db.prisma.exportJob.count({ where: { id } })).toBe(0);
    expect(await app.db.prisma.artifactFile.count({ where: { id: file.id } })).toBe(0);
    expect(await app.db.prisma.artifact.count({ where: { id: file.artifactId } })).toBe(0);
    expect((await app.request(`/api/v1/exports/${id}`, { token: alice.token })).status).toBe(404);
  });

  it('answers 409 not_ready while running and 410 expired once the file is past retention', async () => {
    const running = await app.db.prisma.exportJob.create({
      data: {
        userId: alice.user.id,
        format: 'csv',
        deviceIds: FOLLOWED,
        metrics: [],
        fromTs: new Date(RANGE.from),
        toTs: new Date(RANGE.to),
        status: 'running',
      },
    });
    const notReady = await app.request(`/api/v1/exports/${running.id}/download`, { token: alice.token });
    expect(notReady.status).toBe(409);
    expect(((await notReady.json()) as { error: { code: string } }).error.code).toBe('not_ready');
    await app.db.prisma.exportJob.delete({ where: { id: running.id } });

    const id = await requestExport(alice, { format: 'csv', ...RANGE });
    await waitForExport(alice, id);
    const job = await app.db.prisma.exportJob.findUniqueOrThrow({ where: { id } });
    await app.db.prisma.artifactFile.update({
      where: { id: job.fileId! },
      data: { expiresAt: new Date(Date.now() - 1000) },
    });
    const expired = await app.request(`/api/v1/exports/${id}/download`, { token: alice.token });
    expect(expired.status).toBe(410);
    expect(((await expired.json()) as { error: { code: string } }).error.code).toBe('expired');
    expect(
      ((await (await app.request(`/api/v1/exports/${id}`, { token: alice.token })).json()) as ExportItem).status,
    ).toBe('expired');
  });

  it('says missing, not expired, for a file whose object vanished before its retention ended', async () => {
    const id = await requestExport(alice, { format: 'csv', ...RANGE });
    await waitForExport(alice, id);
    const job = await app.db.prisma.exportJob.findUniqueOrThrow({ where: { id } });
    // What cleanup-worker's reconciliation does when it finds no object behind a ready row.
    await app.db.prisma.artifactFile.update({ where: { id: job.fileId! }, data: { status: 'missing' } });
    const gone = await app.request(`/api/v1/exports/${id}/download`, { token: alice.token });
    expect(gone.status).toBe(410);
    expect(((await gone.json()) as { error: { code: string } }).error.code).toBe('missing');
    const item = (await (await app.request(`/api/v1/exports/${id}`, { token: alice.token })).json()) as ExportItem;
    expect(item.status).toBe('missing');
    expect(item.downloadUrl).toBeNull();
  });

  it('lists the devices a user may export; administrators see all', async () => {
    const mine = (await (await app.request('/api/v1/devices', { token: alice.token })).json()) as {
      items: { id: string }[];
    };
    expect(mine.items.map((d) => d.id)).toEqual(FOLLOWED);
    const admin = await app.login('admin-exports@example.com', { role: 'admin' });
    const all = (await (await app.request('/api/v1/devices', { token: admin.token })).json()) as {
      items: { id: string }[];
    };
    expect(all.items.map((d) => d.id)).toEqual(expect.arrayContaining([...FOLLOWED, NOT_FOLLOWED]));
  });

  it('never logs a presigned URL, in the API or in the worker', () => {
    expect(app.logs.text).not.toMatch(/X-Amz-Signature/i);
    expect(worker.lines.join('\n')).not.toMatch(/X-Amz-Signature/i);
    expect(worker.lines.some((l) => l.includes('"event":"file_created"'))).toBe(true);
  });
});

describe('progress streams share the bus and end with their session', () => {
  it('one pair of bus subscriptions per process, whatever the number of streams, each user getting only theirs', async () => {
    let subscribed = 0;
    let unsubscribed = 0;
    const hub = createExportEventHub({
      subscribe: (subject, handler) => {
        subscribed++;
        const sub = app.bus.subscribe(subject, handler);
        return {
          unsubscribe() {
            unsubscribed++;
            sub.unsubscribe();
          },
        };
      },
    });
    const users = [randomUUID(), randomUUID(), randomUUID()];
    const seen = new Map<string, string[]>();
    const removals = users.flatMap((userId) =>
      Array.from({ length: 4 }, (_, i) =>
        hub.add(userId, (event, data) => {
          const key = `${userId}#${i}`;
          seen.set(key, [...(seen.get(key) ?? []), `${event}:${String(data.exportId)}`]);
        }),
      ),
    );
    expect({ subscribed, unsubscribed }).toEqual({ subscribed: 2, unsubscribed: 0 });
    const exportId = randomUUID();
    app.bus.emit('export.progress', { exportId, userId: users[1]!, rowsDone: 5, status: 'running' });
    app.bus.emit('export.completed', { exportId, userId: users[1]!, status: 'succeeded' });
    await eventually(async () => {
      for (let i = 0; i < 4; i++)
        expect(seen.get(`${users[1]}#${i}`)).toEqual([`progress:${exportId}`, `completed:${exportId}`]);
    });
    // Nobody else's streams heard it.
    expect([...seen.keys()].every((k) => k.startsWith(users[1]!))).toBe(true);
    for (const remove of removals) remove();
    expect({ subscribed, unsubscribed }).toEqual({ subscribed: 2, unsubscribed: 2 });
  });

  it("ends a progress stream at its session's expiry", async () => {
    const erin = await app.login('erin-expiry@example.com');
    const ttlMs = app.config.app.auth.sessionTtlMs;
    // The session has about two seconds left when the stream opens.
    app.clock.advance(ttlMs - 2000);
    const controller = new AbortController();
    try {
      const res = await app.request('/api/v1/exports/events', { token: erin.token, signal: controller.signal });
      expect(res.status).toBe(200);
      const reader = res.body!.getReader();
      const { ended, text } = await readUntilEnd(reader, 6000);
      expect(ended).toBe(true);
      expect(text).toContain('event: session-ended');
      expect(app.logs.events('export_events_closed')).toEqual(
        expect.arrayContaining([expect.objectContaining({ reason: 'session_expired' })]),
      );
    } finally {
      controller.abort();
      app.clock.reset();
    }
  });
});
