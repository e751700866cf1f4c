import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { type RunningWorker, startWorker } from './worker-process';
import { type LoggedIn, startTestApp, type TestApp } from './harness';

let app: TestApp;
let worker: RunningWorker;
let alice: LoggedIn;
let bob: LoggedIn;

beforeAll(async () => {
  app = await startTestApp({ env: { ACQUISITION_RECEIVERS: 'twente,kiwi-de,hackgreen' } });
  worker = await startWorker(app, 'acquisition-worker');
  alice = await app.login('alice-acq@example.com');
  bob = await app.login('bob-acq@example.com');
}, 60_000);
afterAll(async () => {
  await worker?.stop();
  await app?.close();
});

const acquire = (body: unknown, who: LoggedIn = alice) =>
  app.request('/api/v1/acquisition/acquire', { method: 'POST', token: who.token, json: body });
interface FileLink {
  fileId: string;
  downloadUrl: string;
  available: boolean;
  sha256: string;
}
interface MeasurementItem {
  receiverId: string;
  size: number;
  sha256: string;
  npy: FileLink;
  metadata: FileLink;
}
/** The union of the acquisition responses' fields this file reads. */
interface Body {
  taskId: string;
  state: string;
  error: { code: string };
  measurements: MeasurementItem[];
  items: { taskId: string }[];
  nextCursor: string | null;
}
const getJson = async (path: string, who: LoggedIn = alice) => {
  const res = await app.request(path, { token: who.token });
  return { status: res.status, body: (await res.json()) as Body };
};
const GOOD = { frequencyHz: 7_100_000, durationMs: 50, sampleRate: 48_000 };

async function untilFinished(taskId: string, who: LoggedIn = alice): Promise<Body> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const { body } = await getJson(`/api/v1/acquisition/status/${taskId}`, who);
    if (!['queued', 'running'].includes(body.state)) return body;
    if (Date.now() > deadline)
      throw new Error(`still ${body.state}; worker log:\n${worker.lines.slice(-20).join('\n')}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const BAD: Array<[string, unknown, string]> = [
  ['frequency below 100 kHz', { ...GOOD, frequencyHz: 99_999 }, 'validation_error'],
  ['frequency above 30 MHz', { ...GOOD, frequencyHz: 30_000_001 }, 'validation_error'],
  ['fractional frequency', { ...GOOD, frequencyHz: 7_100_000.5 }, 'validation_error'],
  ['frequency as a string', { ...GOOD, frequencyHz: '7100000' }, 'validation_error'],
  ['duration below 10 ms', { ...GOOD, durationMs: 9 }, 'validation_error'],
  ['duration above 60 s', { ...GOOD, durationMs: 60_001 }, 'validation_error'],
  ['sample rate below 1 kS/s', { ...GOOD, sampleRate: 999 }, 'validation_error'],
  ['sample rate above 2.4 MS/s', { ...GOOD, sampleRate: 2_400_001 }, 'validation_error'],
  ['over 8 Mi samples per receiver', { ...GOOD, durationMs: 4000, sampleRate: 2_400_000 }, 'validation_error'],
  ['missing sampleRate', { frequencyHz: 7_100_000, durationMs: 50 }, 'validation_error'],
  ['empty receivers', { ...GOOD, receivers: [] }, 'validation_error'],
  ['duplicate receivers', { ...GOOD, receivers: ['twente', 'twente'] }, 'validation_error'],
  ['receivers as a string', { ...GOOD, receivers: 'twente' }, 'validation_error'],
  ['unknown receiver', { ...GOOD, receivers: ['twente', 'nowhere'] }, 'unknown_receiver'],
  ['extra field', { ...GOOD, userId: 'someone-else' }, 'validation_error'],
  ['body is an array', [GOOD], 'validation_error'],
];

describe('POST /api/v1/acquisition/acquire rejects bad input with 400 JSON', () => {
  it.each(BAD)('%s', async (_name, body, code) => {
    const res = await acquire(body);
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    const json = (await res.json()) as { error: { code: string; message: string } };
    expect(json.error.code).toBe(code);
    expect(json.error.message).toEqual(expect.any(String));
  });

  it('offers the enabled receivers (seeded from the configured list) with status, and the limits for forms', async () => {
    const res = await app.request('/api/v1/acquisition/receivers', { token: alice.token });
    const body = (await res.json()) as { items: { id: string }[]; limits: { maxSamplesPerReceiver: number } };
    expect(body.items.map((r) => r.id)).toEqual(['hackgreen', 'kiwi-de', 'twente']);
    expect(body.items[0]).toMatchObject({ kind: 'synthetic', status: 'unknown', lastError: null });
    expect(body.items[0]).not.toHaveProperty('host');
    expect(body.limits.maxSamplesPerReceiver).toBe(8 * 1024 * 1024);
  });

  it('is documented in the OpenAPI document', async () => {
    const doc = (await (await app.request('/api/v1/openapi.json')).json()) as {
      paths: Record<string, Record<string, { requestBody?: unknown }>>;
    };
    expect(doc.paths['/api/v1/acquisition/acquire']?.post?.requestBody).toBeDefined();
    for (const path of ['/api/v1/acquisition/status/{taskId}', '/api/v1/acquisition/sessions/{taskId}']) {
      expect(doc.paths[path]?.get).toBeDefined();
    }
  });

  it('needs a signed-in user', async () => {
    const res = await app.request('/api/v1/acquisition/acquire', { method: 'POST', json: GOOD });
    expect(res.status).toBe(401);
  });

  it('creates nothing for a rejected request', async () => {
    expect(await app.db.prisma.acquisitionTask.count({ where: { userId: alice.user.id } })).toBe(0);
  });
});

describe('an acquisition from request to download', () => {
  let taskId: string;
  let status: Body;

  beforeAll(async () => {
    const res = await acquire(GOOD);
    expect(res.status).toBe(202);
    ({ taskId } = (await res.json()) as { taskId: string });
    status = await untilFinished(taskId);
  });

  it('queues the task on every enabled receiver (by id) with an outbox event in the same transaction', async () => {
    const task = await app.db.prisma.acquisitionTask.findUniqueOrThrow({ where: { id: taskId } });
    expect(task).toMatchObject({
      userId: alice.user.id,
      receivers: ['hackgreen', 'kiwi-de', 'twente'],
      sampleRate: 48_000,
    });
    const outbox = await app.db.prisma.outboxEvent.findUniqueOrThrow({ where: { msgId: `acquisition:${taskId}` } });
    expect(outbox).toMatchObject({ subject: 'acquisition.requested', payload: { taskId } });
    expect(outbox.publishedAt).toBeInstanceOf(Date);
  });

  it('reports the finished state with progress at the total and the result', () => {
    expect(status).toMatchObject({
      taskId,
      state: 'SUCCESS',
      progress: { current: 3, total: 3, successful: 3, failed: 0 },
      result: { status: 'SUCCESS', successful: 3, failed: 0, errors: [] },
    });
  });

  it('lists the measurements with sizes, sha256 and API download links', async () => {
    const { status: code, body } = await getJson(`/api/v1/acquisition/sessions/${taskId}`);
    expect(code).toBe(200);
    expect(body.measurements.map((m) => m.receiverId)).toEqual(['hackgreen', 'kiwi-de', 'twente']);
    for (const m of body.measurements) {
      expect(m).toMatchObject({
        sampleCount: 2400,
        size: 128 + 2400 * 8,
        sha256: expect.stringMatching(/^[0-9a-f]{64}$/),
      });
      expect(m.npy).toMatchObject({
        downloadUrl: `/api/v1/files/${m.npy.fileId}/download`,
        available: true,
        sha256: m.sha256,
      });
      expect(m.metadata.downloadUrl).toBe(`/api/v1/files/${m.metadata.fileId}/download`);
    }
  });

  it('downloads the .npy through a 302 to the bytes, which start with the NumPy magic', async () => {
    const { body } = await getJson(`/api/v1/acquisition/sessions/${taskId}`);
    const m = body.measurements[0]!;
    const redirect = await app.request(m.npy.downloadUrl, { token: alice.token });
    expect(redirect.status).toBe(302);
    const file = Buffer.from(await (await fetch(redirect.headers.get('location')!)).arrayBuffer());
    expect(file.subarray(0, 6).toString('latin1')).toBe('\x93NUMPY');
    expect(file.length).toBe(m.size);

    const metaRedirect = await app.request(m.metadata.downloadUrl, { token: alice.token });
    const meta = (await (await fetch(metaRedirect.headers.get('location')!)).json()) as Record<string, unknown>;
    expect(meta).toMatchObject({
      task_id: taskId,
      receiver_id: m.receiverId,
      npy_sha256: m.sha256,
      sample_count: 2400,
    });
  });

  it('lists it among my sessions, newest first, page by page', async () => {
    const second = (await (await acquire({ ...GOOD, receivers: ['hackgreen'] })).json()) as { taskId: string };
    await untilFinished(second.taskId);
    const first = await getJson('/api/v1/acquisition/sessions?limit=1');
    expect(first.body.items.map((t) => t.taskId)).toEqual([second.taskId]);
    expect(first.body.items[0]).toMatchObject({ state: 'SUCCESS', frequencyHz: 7_100_000, receivers: ['hackgreen'] });
    const next = await getJson(`/api/v1/acquisition/sessions?limit=1&cursor=${first.body.nextCursor}`);
    expect(next.body.items.map((t) => t.taskId)).toEqual([taskId]);
    expect(next.body.nextCursor).toBeNull();
  });

  it("hides alice's acquisition and files from bob: 404, and an empty list", async () => {
    for (const path of [`/api/v1/acquisition/status/${taskId}`, `/api/v1/acquisition/sessions/${taskId}`]) {
      const { status: code, body } = await getJson(path, bob);
      expect(code).toBe(404);
      expect(body.error.code).toBe('not_found');
    }
    const { body } = await getJson(`/api/v1/acquisition/sessions/${taskId}`);
    const download = await app.request(body.measurements[0]!.npy.downloadUrl, { token: bob.token });
    expect(download.status).toBe(404);
    expect((await getJson('/api/v1/acquisition/sessions', bob)).body.items).toEqual([]);
  });

  it('caps the acquisitions one user may have in progress (429)', async () => {
    // Rows as the API would leave them while the worker is busy: queued and running.
    const carol = await app.login('carol-acq@example.com');
    for (const state of ['QUEUED', 'RUNNING', 'RUNNING'] as const) {
      await app.db.prisma.acquisitionTask.create({
        data: {
          userId: carol.user.id,
          frequencyHz: 7_100_000n,
          durationMs: 50,
          sampleRate: 48_000,
          receivers: ['twente'],
          state,
        },
      });
    }
    const res = await acquire(GOOD, carol);
    expect(res.status).toBe(429);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('rate_limited');
    // Others are not affected.
    const other = await acquire({ ...GOOD, receivers: ['twente'] }, bob);
    expect(other.status).toBe(202);
    await untilFinished(((await other.json()) as { taskId: string }).taskId, bob);
  });

  it('refuses an acquisition that would take the raw IQ a user keeps over the quota (429 quota_exceeded)', async () => {
    const dave = await app.login('dave-acq@example.com');
    const kept = await app.seed.file({ ownerId: dave.user.id, kind: 'acquisition', filename: 'old.npy', body: 'x' });
    await app.db.prisma.artifactFile.update({
      where: { id: kept.id },
      data: { sizeBytes: BigInt(app.config.app.quotas.acquisitionBytes) },
    });
    const res = await acquire(GOOD, dave);
    expect(res.status).toBe(429);
    const { error } = (await res.json()) as { error: { code: string; message: string } };
    expect(error.code).toBe('quota_exceeded');
    expect(error.message).toMatch(/delete older acquisitions/);
    expect(await app.db.prisma.acquisitionTask.count({ where: { userId: dave.user.id } })).toBe(0);
    // Deleted files free the space.
    await app.db.prisma.artifactFile.update({ where: { id: kept.id }, data: { status: 'deleted' } });
    const ok = await acquire({ ...GOOD, receivers: ['twente'] }, dave);
    expect(ok.status).toBe(202);
    await untilFinished(((await ok.json()) as { taskId: string }).taskId, dave);
  });

  it('answers 404 for an unknown task and 400 for a malformed id', async () => {
    expect((await getJson('/api/v1/acquisition/status/00000000-0000-4000-8000-000000000000')).status).toBe(404);
    expect((await getJson('/api/v1/acquisition/status/not-a-uuid')).status).toBe(400);
    expect((await getJson('/api/v1/acquisition/sessions?cursor=garbage')).status).toBe(400);
  });
});
