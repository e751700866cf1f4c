// S3 (a private RGW) stopped while an export streams into it, then started again: the export retries
// and succeeds (or fails with a reason), ui-api readiness turns 503 and back, nothing is duplicated.
import { afterAll, beforeAll, expect, test } from '@jest/globals';
import { call, loginViaApi } from '../../src/api-client';
import { cleanupPassADayLater } from '../../src/cleanup-pass';
import { countIncompleteUploads, countObjects, exportRow, isFinal, scanStack } from '../../src/inspect';
import { type OwnRgw, startOwnRgw } from '../../src/own-rgw';
import { recordScenario } from '../../src/reliability-report';
import { follow, seedTelemetry } from '../../src/seed';
import { createStack, type Stack } from '../../src/stack';
import { httpStatus } from '../../src/wait';
import { waitFor } from '@pulse/testing';
import { sleep } from '@pulse/runtime';

const DEVICES = ['out-a', 'out-b', 'out-c'];
const ROWS_PER_DEVICE = 200_000;
const FROM = new Date('2026-02-01T00:00:00Z');
const OUTAGE_MS = 8_000;

let rgw: OwnRgw;
let stack: Stack;

beforeAll(async () => {
  rgw = await startOwnRgw();
  stack = await createStack({
    rgw,
    env: {
      NATS_ACK_WAIT_MS: '5000',
      EXPORT_PROGRESS_THROTTLE_MS: '100',
      S3_RETRY_ATTEMPTS: '2',
      S3_RETRY_BASE_MS: '100',
      S3_HEALTH_TIMEOUT_MS: '1000',
    },
  });
  stack.secrets.add(rgw.secretKey);
  await seedTelemetry(stack.pool, { deviceIds: DEVICES, rowsPerDevice: ROWS_PER_DEVICE, from: FROM });
});

afterAll(async () => {
  await stack?.close();
  await rgw?.startGateway().catch(() => undefined);
  await rgw?.destroy();
});

test('S3 stopped mid-export and restarted: readiness 503 and back, export completes once', async () => {
  const api = await stack.start('ui-api');
  await stack.start('export-worker');
  const alice = await loginViaApi(stack, 'outage@example.com');
  await follow(stack.pool, alice.userId, DEVICES);

  const created = await call<{ id: string }>(stack, {
    method: 'POST',
    path: '/api/v1/exports',
    token: alice.token,
    json: {
      format: 'csv',
      from: FROM.toISOString(),
      to: new Date(FROM.getTime() + ROWS_PER_DEVICE * 60_000).toISOString(),
    },
  });
  expect(created.status).toBe(202);
  const exportId = created.body.id;
  const totalRows = DEVICES.length * ROWS_PER_DEVICE;

  await waitFor(
    async () => {
      const row = await exportRow(stack.pool, exportId);
      if (row?.status === 'succeeded') throw new Error('finished before the outage: make it bigger');
      return row?.status === 'running' && Number(row.rows_done) >= totalRows / 5;
    },
    { timeoutMs: 60_000, intervalMs: 25, what: 'the export to be mid-stream' },
  );
  await rgw.stopGateway();
  const outageStart = Date.now();

  const notReady = await waitFor(
    async () => {
      const res = await fetch(api.readyUrl, { signal: AbortSignal.timeout(5000) });
      return res.status === 503 ? ((await res.json()) as Record<string, unknown>) : undefined;
    },
    { timeoutMs: 20_000, what: 'ui-api /health/ready to report 503' },
  );
  const msTo503 = Date.now() - outageStart;
  expect(notReady.failed).toEqual(['storage']);

  await sleep(Math.max(0, OUTAGE_MS - (Date.now() - outageStart)));
  const duringOutage = await exportRow(stack.pool, exportId);
  await rgw.startGateway();
  const outageEnd = Date.now();

  await waitFor(async () => (await httpStatus(api.readyUrl)) === 200, {
    timeoutMs: 30_000,
    what: 'ui-api ready again',
  });
  const readyAgainMs = Date.now() - outageEnd;
  const final = await waitFor(
    async () => {
      const row = await exportRow(stack.pool, exportId);
      return row && isFinal(row.status) ? row : undefined;
    },
    { timeoutMs: 120_000, what: 'the export to reach a final state' },
  );
  const recoveryMs = Date.now() - outageEnd;

  const objects = await countObjects(stack.storage, stack.buckets.exports, `exports/${exportId}`);
  const leftover = await countIncompleteUploads(stack.storage, stack.buckets.exports);
  const cleanup = await cleanupPassADayLater(stack);
  const leftoverAfterCleanup = await countIncompleteUploads(stack.storage, stack.buckets.exports);
  const objectsAfterCleanup = await countObjects(stack.storage, stack.buckets.exports, `exports/${exportId}`);
  const files = await stack.pool.query('SELECT 1 FROM artifact_files WHERE object_key LIKE $1', [
    `exports/${exportId}%`,
  ]);
  const download = await call(stack, { path: `/api/v1/exports/${exportId}/download`, token: alice.token });
  const hits = scanStack(stack);

  recordScenario({
    id: '11-s3-outage-mid-export',
    title: 'S3 down mid-export, then back',
    ci: false,
    injected: `RGW gateway stopped ${OUTAGE_MS / 1000} s while ${totalRows} rows streamed`,
    jobs: 1,
    lost: isFinal(final.status) ? 0 : 1,
    duplicated: Math.max(0, objects - 1) + Math.max(0, (files.rowCount ?? 0) - 1),
    errors: hits.length + leftoverAfterCleanup + (final.status === 'succeeded' || final.error ? 0 : 1),
    recoveryMs,
    notes: `final ${final.status} after ${final.attempts} attempts; during outage: ${duringOutage?.status} "${(duringOutage?.error ?? '').slice(0, 60)}"; ready→503 in ${(msTo503 / 1000).toFixed(1)} s, 200 again ${(readyAgainMs / 1000).toFixed(1)} s after restart; incomplete multipart uploads right after: ${leftover}, after the next cleanup run: ${leftoverAfterCleanup} (${cleanup.abortedUploads} aborted)`,
    proves:
      'An S3 outage in the middle of a multipart upload costs time, not data: the failed attempt is released with a readable reason, the message is redelivered with backoff, and after S3 returns the export finishes with one object and one file row. ui-api readiness names `storage` as failed while it is down and recovers by itself. An interrupted multipart upload whose abort also fails (S3 still down) can be left behind, depending on timing (see the figures); the next cleanup-worker run aborts it and keeps the live object.',
  });

  expect(final.status).toBe('succeeded');
  expect(Number(final.rows_done)).toBe(totalRows);
  expect(objects).toBe(1);
  expect(files.rowCount).toBe(1);
  expect(download.status).toBe(302);
  expect(leftoverAfterCleanup).toBe(0);
  expect(objectsAfterCleanup).toBe(1);
  expect(cleanup.issues).toBe(0);
  expect(hits).toEqual([]);
});
