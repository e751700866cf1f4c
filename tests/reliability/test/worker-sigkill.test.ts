// CI subset: the one fault scenario that always runs. A worker is SIGKILLed while it streams an export
// into S3; the message must be redelivered to the restarted worker and the job finish exactly once.
import { afterAll, beforeAll, expect, test } from '@jest/globals';
import { cleanupPassADayLater } from '../src/cleanup-pass';
import { countIncompleteUploads, countObjects, scanStack } from '../src/inspect';
import { recordScenario } from '../src/reliability-report';
import { insertExportJob, seedTelemetry, seedUser } from '../src/seed';
import { createStack, type Stack } from '../src/stack';
import { waitFor } from '@pulse/testing';

const DEVICES = ['rel-dev-a', 'rel-dev-b', 'rel-dev-c'];
const ROWS_PER_DEVICE = 200_000;
const FROM = new Date('2026-01-01T00:00:00Z');

let stack: Stack;

beforeAll(async () => {
  // A short ack wait: the killed worker's message comes back within seconds instead of 30.
  stack = await createStack({ env: { NATS_ACK_WAIT_MS: '4000', EXPORT_PROGRESS_THROTTLE_MS: '100' } });
  await seedTelemetry(stack.pool, { deviceIds: DEVICES, rowsPerDevice: ROWS_PER_DEVICE, from: FROM });
});

afterAll(async () => {
  await stack?.close();
});

test('a worker SIGKILLed mid-export: redelivered, completed once, one object', async () => {
  const user = await seedUser(stack.pool, 'sigkill@example.com');
  const worker = await stack.start('export-worker');
  const exportId = await insertExportJob(stack.pool, {
    userId: user.id,
    deviceIds: DEVICES,
    from: FROM,
    to: new Date(FROM.getTime() + ROWS_PER_DEVICE * 60_000),
  });
  await stack.bus.publish('export.requested', { exportId }, { msgId: `export:${exportId}` });

  // Mid-export: claimed and a quarter of the rows streamed (so parts are in flight), not finished.
  const minRows = (DEVICES.length * ROWS_PER_DEVICE) / 4;
  const progressAtKill = await waitFor(
    async () => {
      const { rows } = await stack.pool.query<{ status: string; rows_done: string }>(
        'SELECT status, rows_done FROM export_jobs WHERE id = $1',
        [exportId],
      );
      const row = rows[0];
      if (row?.status === 'succeeded') throw new Error('the export finished before the kill: make it bigger');
      return row?.status === 'running' && Number(row.rows_done) >= minRows ? Number(row.rows_done) : undefined;
    },
    { timeoutMs: 60_000, intervalMs: 25, what: 'the export to be mid-stream' },
  );
  const killedPid = worker.pid;
  await worker.kill();
  const killedAt = Date.now();

  await worker.restart();
  expect(worker.pid).not.toBe(killedPid);
  const finished = await waitFor(
    async () => {
      const { rows } = await stack.pool.query<{ status: string; rows_done: string; attempts: number; file_id: string }>(
        'SELECT status, rows_done, attempts, file_id FROM export_jobs WHERE id = $1',
        [exportId],
      );
      const row = rows[0];
      return row && row.status !== 'queued' && row.status !== 'running' ? row : undefined;
    },
    { timeoutMs: 90_000, what: 'the export to finish after the restart' },
  );
  const recoveryMs = Date.now() - killedAt;

  const totalRows = DEVICES.length * ROWS_PER_DEVICE;
  const objects = await countObjects(stack.storage, stack.buckets.exports, `exports/${exportId}`);
  const files = await stack.pool.query('SELECT id FROM artifact_files WHERE object_key LIKE $1', [
    `exports/${exportId}%`,
  ]);
  // The killed attempt's multipart upload can't be aborted by a dead process; cleanup-worker's stale
  // upload sweep owns it. Counted before and after one cleanup run.
  const leftoverUploads = await countIncompleteUploads(stack.storage, stack.buckets.exports);
  const cleanup = await cleanupPassADayLater(stack);
  const leftoverAfterCleanup = await countIncompleteUploads(stack.storage, stack.buckets.exports);
  const objectsAfterCleanup = await countObjects(stack.storage, stack.buckets.exports, `exports/${exportId}`);
  const hits = scanStack(stack);

  recordScenario({
    id: '10-worker-sigkill-mid-export',
    title: 'Export worker SIGKILLed mid-export',
    ci: true,
    injected: `SIGKILL at ${progressAtKill} of ${totalRows} rows, then restart`,
    jobs: 1,
    lost: finished.status === 'succeeded' ? 0 : 1,
    duplicated: Math.max(0, objects - 1) + Math.max(0, (files.rowCount ?? 0) - 1),
    errors: hits.length + leftoverAfterCleanup + (finished.status === 'succeeded' ? 0 : 1),
    recoveryMs,
    notes: `attempts ${finished.attempts}; incomplete multipart uploads left by the killed process: ${leftoverUploads}, after the next cleanup run: ${leftoverAfterCleanup}`,
    proves:
      'A worker dying without warning (OOM kill, node loss) loses nothing: the un-acked message is redelivered after the ack wait, the guarded claim lets the new process resume a `running` job, and the deterministic key means the second attempt overwrites rather than adds an object. One job row, one file row, one object, all rows present. The multipart upload of the killed process can only be aborted by someone else: the next cleanup-worker run (clock moved past MULTIPART_MAX_AGE_HOURS) aborts it and keeps the live object.',
  });

  expect(finished.status).toBe('succeeded');
  expect(Number(finished.rows_done)).toBe(totalRows);
  expect(finished.attempts).toBeGreaterThanOrEqual(2);
  expect(objects).toBe(1);
  expect(files.rowCount).toBe(1);
  expect(finished.file_id).toBe(files.rows[0]!.id);
  expect(leftoverAfterCleanup).toBe(0);
  expect(objectsAfterCleanup).toBe(1);
  expect(cleanup.issues).toBe(0);
  expect(hits).toEqual([]);
});
