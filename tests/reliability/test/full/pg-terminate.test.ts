// Postgres connections of the running apps terminated (pg_terminate_backend) again and again while
// exports run and the API is polled: the apps reconnect and every export finishes.
import { afterAll, beforeAll, expect, test } from '@jest/globals';
import { call, loginViaApi, requestExport } from '../../src/api-client';
import { exportArtifacts, scanStack, statusCounts, waitExportsFinal } from '../../src/inspect';
import { recordScenario } from '../../src/reliability-report';
import { follow, seedTelemetry } from '../../src/seed';
import { createStack, type Stack } from '../../src/stack';
import { httpStatus } from '../../src/wait';
import { waitFor } from '@pulse/testing';
import { sleep } from '@pulse/runtime';

const DEVICES = ['pg-a', 'pg-b'];
const ROWS_PER_DEVICE = 60_000;
const FROM = new Date('2026-04-01T00:00:00Z');
const JOBS = 12;
const ROUNDS = 4;

let stack: Stack;

beforeAll(async () => {
  stack = await createStack({
    env: { NATS_ACK_WAIT_MS: '5000', EXPORT_MAX_RUNNING_PER_USER: '100', EXPORT_PROGRESS_THROTTLE_MS: '100' },
  });
  await seedTelemetry(stack.pool, { deviceIds: DEVICES, rowsPerDevice: ROWS_PER_DEVICE, from: FROM });
});

afterAll(async () => {
  await stack?.close();
});

/** Terminates every backend of this test database except the test's own connections. */
async function terminateAppConnections(): Promise<number> {
  const { rows } = await stack.pool.query<{ n: string }>(
    `SELECT count(*) FILTER (WHERE pg_terminate_backend(pid)) AS n FROM pg_stat_activity
      WHERE datname = current_database() AND pid <> pg_backend_pid() AND application_name <> 'reliability'`,
  );
  return Number(rows[0]?.n ?? 0);
}

test('pg_terminate_backend during work: the apps reconnect and finish', async () => {
  const api = await stack.start('ui-api');
  await stack.start('export-worker');
  const user = await loginViaApi(stack, 'pgkill@example.com');
  await follow(stack.pool, user.userId, DEVICES);
  const ids: string[] = [];
  for (let i = 0; i < JOBS; i++) {
    const r = await requestExport(stack, user.token, {
      format: 'csv',
      from: FROM.toISOString(),
      to: new Date(FROM.getTime() + ROWS_PER_DEVICE * 60_000 - i * 60_000).toISOString(),
    });
    expect(r.status).toBe(202);
    ids.push(r.id!);
  }
  await waitFor(async () => ((await statusCounts(stack.pool, 'export_jobs', ids)).running ?? 0) > 0, {
    what: 'an export to be running',
  });

  // API traffic during the faults: every answer is counted; a 5xx is an error.
  const answers = { total: 0, serverErrors: 0 };
  let polling = true;
  const poller = (async () => {
    while (polling) {
      const res = await call(stack, { path: '/api/v1/exports?limit=50', token: user.token }).catch(() => ({
        status: 0,
      }));
      answers.total++;
      if (res.status >= 500 || res.status === 0) answers.serverErrors++;
      await sleep(50);
    }
  })();

  let terminated = 0;
  let lastFaultAt = 0;
  let final: Record<string, number>;
  let recoveryMs: number;
  try {
    for (let round = 0; round < ROUNDS; round++) {
      terminated += await terminateAppConnections();
      await sleep(1_500);
    }
    lastFaultAt = Date.now();
    final = await waitExportsFinal(stack, ids, 240_000);
    await waitFor(async () => (await httpStatus(api.readyUrl)) === 200, { what: 'ui-api ready' });
    recoveryMs = Date.now() - lastFaultAt;
  } finally {
    polling = false;
    await poller;
  }
  const me = await call(stack, { path: '/api/v1/me', token: user.token });
  const artifacts = await exportArtifacts(stack, ids);
  const hits = scanStack(stack);

  recordScenario({
    id: '13-pg-terminate-backend',
    title: 'Postgres connections terminated during work',
    ci: false,
    injected: `${ROUNDS} rounds of pg_terminate_backend on every app connection (${terminated} backends) while ${JOBS} exports ran`,
    jobs: JOBS + answers.total,
    lost: JOBS - (final.succeeded ?? 0),
    duplicated: artifacts.duplicated,
    errors: hits.length + (final.failed ?? 0),
    recoveryMs,
    notes: `final ${JSON.stringify(final)}; API answers during the faults: ${answers.total}, of which 5xx: ${answers.serverErrors}`,
    proves:
      "Losing database connections mid-query (a failover, a restarted pooler, an admin killing sessions) does not lose or duplicate work: a worker whose COPY or update dies fails that attempt, releases it, and the redelivered message finishes it on a fresh pooled connection; the API recovers without a restart. 5xx answers while a request's own connection is killed are counted in the figures (a request in flight on a terminated backend cannot succeed); afterwards every request is served.",
  });

  expect(terminated).toBeGreaterThan(0);
  expect(final).toEqual({ succeeded: JOBS });
  expect(artifacts).toEqual({ missing: 0, duplicated: 0, objects: JOBS });
  expect(me.status).toBe(200);
  expect(hits).toEqual([]);
}, 300_000);
