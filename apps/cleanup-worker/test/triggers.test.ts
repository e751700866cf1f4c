import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { connectBus } from '@pulse/bus';
import { loadConfig, natsConfig } from '@pulse/config';
import { withAdvisoryLock } from '@pulse/db';
import { createLogger } from '@pulse/logger';
import { sleep } from '@pulse/runtime';
import { LogCapture, NATS_URL, uniqueName, waitFor } from '@pulse/testing';
import { startCleanupConsumer } from '../src/consumer';
import { CLEANUP_LOCK } from '../src/run-cleanup';
import { startScheduler } from '../src/scheduler';
import { createFileRow, createUser, DAY, type Harness, putObjects, startHarness } from './support';

const until = <T>(probe: () => Promise<T | undefined>) => waitFor(probe, { timeoutMs: 20_000, intervalMs: 100 });

/** Runs the CLI as an operator would, in its own process. */
function runCli(
  env: Record<string, string>,
  args: string[],
): Promise<{ code: number; stdout: string; stderr: string }> {
  const { NODE_OPTIONS: _jestVmFlag, ...parentEnv } = process.env;
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', 'src/cli.ts', ...args],
      { cwd: new URL('..', import.meta.url).pathname, env: { ...parentEnv, ...env, LOG_LEVEL: 'info' } },
      (err, stdout, stderr) => resolve({ code: err ? Number(err.code ?? 1) : 0, stdout, stderr }),
    );
  });
}

describe('what starts a run', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ ORPHAN_GRACE_HOURS: '1' });
  });
  afterAll(() => h.close());

  it('a cleanup.requested message runs cleanup in the requested mode', async () => {
    const config = loadConfig(
      { nats: natsConfig },
      {
        NATS_URL,
        NATS_STREAM: uniqueName('CLEANUP').toUpperCase(),
        NATS_SUBJECT_PREFIX: uniqueName('t').replace(/_/g, '-'),
      },
    );
    const logger = createLogger({ name: 'bus-test', destination: new LogCapture() });
    const bus = await connectBus({ config: config.nats, logger });
    const consumer = await startCleanupConsumer({ bus, deps: h.deps() });
    try {
      await bus.publish('cleanup.requested', { reason: 'from the bus', dryRun: true }, { msgId: randomUUID() });
      const run = await until(
        async () =>
          (await h.db.prisma.cleanupRun.findFirst({ where: { reason: 'requested: from the bus' } })) ?? undefined,
      );
      expect(run.dryRun).toBe(true);
    } finally {
      await consumer.stop();
      await bus.close();
    }
  });

  it('the scheduler runs at start and after each run, survives a failing run, and stops cleanly', async () => {
    const logs = new LogCapture();
    const reasons: string[] = [];
    const scheduler = startScheduler({
      intervalMs: 10,
      logger: createLogger({ name: 'scheduler-test', destination: logs }),
      run: async (reason) => {
        reasons.push(reason);
        if (reasons.length === 2) throw new Error('database unavailable');
      },
    });
    await until(async () => (reasons.length >= 3 ? true : undefined));
    await scheduler.stop();
    const runs = reasons.length;
    await sleep(50);
    expect(reasons).toHaveLength(runs);
    expect(reasons[0]).toBe('startup');
    expect(new Set(reasons.slice(1))).toEqual(new Set(['interval']));
    expect(logs.events('cleanup_run_error')).toHaveLength(1);
  });

  it('the CLI prints a dry-run summary with keys, logs without them, and exits 2 while the lock is held', async () => {
    const userId = await createUser(h.db);
    const young = 'artifacts/cli/young-orphan.bin';
    const expired = 'exports/cli-expired.csv';
    await putObjects(h.storage, h.buckets.artifacts, [young]);
    await putObjects(h.storage, h.buckets.exports, [expired]);
    await createFileRow(h.db, {
      ownerId: userId,
      kind: 'export',
      bucket: h.buckets.exports,
      objectKey: expired,
      createdAt: new Date(Date.now() - 30 * DAY),
    });

    const dry = await runCli(h.env, ['--dry-run', '--sample', '5', '--reason', 'cli test']);
    expect(dry.code).toBe(0);
    expect(dry.stdout).toContain('DRY RUN');
    expect(dry.stdout).toContain(`bucket ${h.buckets.exports}: scanned 1, expired 1`);
    // The young orphan is inside the 1 h grace period: scanned, not listed as an orphan.
    expect(dry.stdout).toContain(`bucket ${h.buckets.artifacts}: scanned 1, expired 0, orphans 0`);
    expect(dry.stdout).toContain(expired);
    expect(dry.stderr).toContain('"event":"cleanup_run"');
    expect(dry.stderr).not.toContain(expired);
    expect(await h.storage.exists(h.buckets.exports, expired)).toBe(true);

    const held = await withAdvisoryLock(h.db.pool, CLEANUP_LOCK, () => runCli(h.env, ['--dry-run']));
    expect(held.acquired && held.result.code).toBe(2);
  });
});
