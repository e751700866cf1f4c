// CI subset: acquisitions from networked receivers that misbehave, through the real processes. The
// receivers are the protocol test peers (KiwiSDR WebSocket, rtl_tcp) on 127.0.0.1, registered through
// the admin API like an operator would; faults are the ones real receivers show in the field.
import { afterAll, beforeAll, expect, test } from '@jest/globals';
import { waitFor } from '@pulse/testing';
import { type KiwiPeer, type RtlTcpPeer, startKiwiPeer, startRtlTcpPeer } from '@pulse/testing/receiver-peers';
import { type ApiSession, call, loginViaApi } from '../src/api-client';
import { countIncompleteUploads, countObjects, describeApps, scanStack } from '../src/inspect';
import { recordScenario } from '../src/reliability-report';
import { createStack, type Stack } from '../src/stack';

const KIWI_PASSWORD = 'kiwi-pw-0b5e1c';
const FINAL = ['SUCCESS', 'PARTIAL_FAILURE', 'FAILED', 'CANCELLED'];

interface TaskRow {
  state: string;
  successful: number;
  failed: number;
  total: number;
  result: { errors?: { receiverId: string; message: string }[] } | null;
}

let stack: Stack;
let admin: ApiSession;
const peers: (KiwiPeer | RtlTcpPeer)[] = [];

beforeAll(async () => {
  stack = await createStack({
    // Short stall detection keeps the scenario in seconds; the password reaches the worker as a
    // secret reference (env:…), never through the API or the database.
    env: { ACQUISITION_STALL_TIMEOUT_MS: '600', KIWI_REL_PASSWORD: KIWI_PASSWORD },
  });
  stack.secrets.add(KIWI_PASSWORD);
  await stack.start('ui-api');
  await stack.start('acquisition-worker');
  admin = await loginViaApi(stack, 'rx-admin@example.com', 'admin');
});

afterAll(async () => {
  for (const p of peers) await p.close();
  await stack?.close();
});

async function register(id: string, kind: 'kiwisdr' | 'rtl_tcp', port: number, extra: object = {}): Promise<void> {
  const res = await call(stack, {
    method: 'POST',
    path: '/api/v1/admin/receivers',
    token: admin.token,
    json: { id, name: `Emulated ${id}`, kind, host: '127.0.0.1', port, ...extra },
  });
  if (res.status !== 201) throw new Error(`register ${id}: ${res.status} ${JSON.stringify(res.body)}`);
}

async function acquire(receivers: string[], durationMs: number): Promise<string> {
  const res = await call<{ taskId: string }>(stack, {
    method: 'POST',
    path: '/api/v1/acquisition/acquire',
    token: admin.token,
    json: { frequencyHz: 28_500_000, durationMs, sampleRate: 48_000, receivers },
  });
  if (res.status !== 202) throw new Error(`acquire: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.taskId;
}

const taskRow = async (taskId: string) =>
  (
    await stack.pool.query<TaskRow>(
      'SELECT state::text, successful, failed, total, result FROM acquisition_tasks WHERE id = $1',
      [taskId],
    )
  ).rows[0];

const finished = (taskId: string) =>
  waitFor(
    async () => {
      const t = await taskRow(taskId);
      return t && FINAL.includes(t.state) ? t : undefined;
    },
    { timeoutMs: 30_000, what: 'the acquisition to finish' },
  ).catch((err: Error) => {
    throw new Error(`${err.message}\n${describeApps(stack)}`);
  });

const storedCount = async (taskId: string) =>
  Number(
    (await stack.pool.query<{ n: string }>('SELECT count(*) AS n FROM measurements WHERE task_id = $1', [taskId]))
      .rows[0]!.n,
  );

test('receivers that drop, stall or refuse mid-capture fail alone; the others are stored whole', async () => {
  const tone = { offsetHz: 1_500, amplitude: 0.5 };
  const good = await startKiwiPeer({ tone, password: KIWI_PASSWORD });
  const rtl = await startRtlTcpPeer({ tone });
  const kiwiDrop = await startKiwiPeer({ tone, behaviour: 'drop' });
  const rtlDrop = await startRtlTcpPeer({ tone, behaviour: 'drop' });
  const stall = await startKiwiPeer({ tone, behaviour: 'stall' });
  const locked = await startKiwiPeer({ tone, password: 'not-what-we-have' });
  peers.push(good, rtl, kiwiDrop, rtlDrop, stall, locked);
  await register('kiwi-good', 'kiwisdr', good.port, { passwordRef: 'env:KIWI_REL_PASSWORD' });
  await register('rtl-good', 'rtl_tcp', rtl.port);
  await register('kiwi-drop', 'kiwisdr', kiwiDrop.port);
  await register('rtl-drop', 'rtl_tcp', rtlDrop.port);
  await register('kiwi-stall', 'kiwisdr', stall.port);
  await register('kiwi-locked', 'kiwisdr', locked.port, { passwordRef: 'env:KIWI_REL_PASSWORD' });

  const ids = ['kiwi-good', 'rtl-good', 'kiwi-drop', 'rtl-drop', 'kiwi-stall', 'kiwi-locked'];
  const taskId = await acquire(ids, 2_000);
  const final = await finished(taskId);
  const status = await call<{ state: string; result?: { errors: { receiverId: string; message: string }[] } }>(stack, {
    path: `/api/v1/acquisition/status/${taskId}`,
    token: admin.token,
  });
  const stored = await storedCount(taskId);
  const objects = await countObjects(stack.storage, stack.buckets.rawIq, `sessions/${taskId}/`);
  const incomplete = await countIncompleteUploads(stack.storage, stack.buckets.rawIq);
  const open = peers.reduce((n, p) => n + p.openConnections(), 0);
  const errors = final.result?.errors ?? [];
  const hits = scanStack(stack);

  recordScenario({
    id: '16-receivers-misbehave',
    title: 'Receivers drop, stall or refuse mid-capture',
    ci: true,
    injected:
      'of 6 receivers: a KiwiSDR and an rtl_tcp drop the connection, a KiwiSDR stalls, one refuses the password',
    jobs: 1,
    lost: Math.max(0, 2 - stored),
    duplicated: Math.max(0, stored - 2),
    errors: hits.length + incomplete + open + (objects === 2 * stored ? 0 : 1),
    notes: `final ${final.state}: ${final.successful} stored, ${final.failed} failed of ${final.total}; reasons: ${errors.map((e) => `${e.receiverId}: ${e.message}`).join('; ')}; open connections after: ${open}`,
    proves:
      'Each receiver fails alone with a readable reason (dropped, stalled, bad password), the healthy KiwiSDR and rtl_tcp are stored whole (.npy + metadata, one measurement row each), the task ends PARTIAL_FAILURE with the API showing the same reasons, no connection is left open, no multipart upload is left behind, and the receiver password (a secret reference resolved in the worker) appears in no log line.',
  });

  expect(final.state).toBe('PARTIAL_FAILURE');
  expect([final.successful, final.failed, final.total]).toEqual([2, 4, 6]);
  expect(errors.map((e) => e.receiverId).sort()).toEqual(['kiwi-drop', 'kiwi-locked', 'kiwi-stall', 'rtl-drop']);
  for (const e of errors) expect(e.message).toMatch(/^[a-z][\w ,:'()./-]+$/i);
  expect(status.body.state).toBe('PARTIAL_FAILURE');
  expect(status.body.result?.errors).toEqual(errors);
  expect(stored).toBe(2);
  expect(objects).toBe(4);
  expect(incomplete).toBe(0);
  expect(open).toBe(0);
  expect(hits).toEqual([]);
});

test('a cancel through the API hangs up every receiver within a second and stores nothing', async () => {
  const tone = { offsetHz: -900, amplitude: 0.3 };
  const kiwiA = await startKiwiPeer({ tone });
  const kiwiB = await startKiwiPeer({ tone, sampleRate: 20_250 });
  const rtl = await startRtlTcpPeer({ tone });
  const mine = [kiwiA, kiwiB, rtl];
  peers.push(...mine);
  await register('cancel-a', 'kiwisdr', kiwiA.port);
  await register('cancel-b', 'kiwisdr', kiwiB.port);
  await register('cancel-rtl', 'rtl_tcp', rtl.port);

  const taskId = await acquire(['cancel-a', 'cancel-b', 'cancel-rtl'], 20_000);
  await waitFor(async () => (mine.every((p) => p.openConnections() > 0) ? true : undefined), {
    timeoutMs: 15_000,
    intervalMs: 20,
    what: 'every receiver streaming',
  });
  const t0 = performance.now();
  const cancelled = await call<{ state: string }>(stack, {
    method: 'POST',
    path: `/api/v1/acquisition/${taskId}/cancel`,
    token: admin.token,
  });
  await waitFor(async () => (mine.every((p) => p.openConnections() === 0) ? true : undefined), {
    timeoutMs: 5_000,
    intervalMs: 10,
    what: 'every connection closed',
  });
  const hangUpMs = Math.round(performance.now() - t0);
  // Past the time the worker would need to finish storing anything it still held.
  await new Promise((resolve) => setTimeout(resolve, 1_500));
  const final = await taskRow(taskId);
  const stored = await storedCount(taskId);
  const objects = await countObjects(stack.storage, stack.buckets.rawIq, `sessions/${taskId}/`);
  const incomplete = await countIncompleteUploads(stack.storage, stack.buckets.rawIq);
  const again = await call(stack, { method: 'POST', path: `/api/v1/acquisition/${taskId}/cancel`, token: admin.token });

  recordScenario({
    id: '17-acquisition-cancel',
    title: 'Acquisition cancelled mid-capture',
    ci: true,
    injected: 'POST /acquisition/{id}/cancel while 3 receivers (2 KiwiSDR, 1 rtl_tcp) stream a 20 s capture',
    jobs: 1,
    lost: 0,
    duplicated: 0,
    errors: stored + objects + incomplete + (final?.state === 'CANCELLED' ? 0 : 1),
    notes: `every receiver connection closed ${hangUpMs} ms after the cancel; final ${final?.state}; ${stored} measurements, ${objects} objects; a second cancel: ${again.status}`,
    proves:
      'A cancel reaches the worker process running the task (another process than the API) and closes every receiver connection within a second; the task stays CANCELLED, nothing is stored (no measurement rows, no objects, no multipart uploads), and cancelling again is a 409.',
  });

  expect(cancelled.status).toBe(202);
  expect(hangUpMs).toBeLessThan(1_000);
  expect(final?.state).toBe('CANCELLED');
  expect(stored).toBe(0);
  expect(objects).toBe(0);
  expect(incomplete).toBe(0);
  expect(again.status).toBe(409);
});
