import { execFile } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { uniqueName } from '@pulse/testing';
import { startExportConsumer } from '../src/consumer';
import { createJob, openWorkerEnv, readObject, type Seeded, seed, until, type WorkerEnv } from './helpers';

// The operator's path through a failed export, with the real CLI as a separate process:
// poisoned export → dead letter → `pnpm pulse dlq list` shows why → cause fixed → `dlq replay` → done once.
const ROOT = fileURLToPath(new URL('../../..', import.meta.url));
let env: WorkerEnv;
let seeded: Seeded;

beforeAll(async () => {
  env = await openWorkerEnv({ maxDeliver: 2 });
  seeded = await seed(env.db, 2_000);
});
afterAll(async () => {
  await env.dispose();
});

async function pulse(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await promisify(execFile)(
      process.execPath,
      ['--import', 'tsx', path.join(ROOT, 'scripts/pulse/main.ts'), ...args],
      { cwd: ROOT, env: { ...process.env, ...env.processEnv, PULSE_OPERATOR: 'ops-alice', LOG_LEVEL: 'warn' } },
    );
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

describe('pnpm pulse dlq', () => {
  it('shows a poisoned export with its reason and replays it, after the fix, exactly once', async () => {
    // The poison: every attempt writes to a bucket that does not exist (yet).
    const bucket = uniqueName('t-dlq').replace(/_/g, '-');
    const consumer = await startExportConsumer({ ...env.deps, bucket }, { maxDeliver: 2, backoffMs: () => 100 });
    const completed: string[] = [];
    try {
      const id = await createJob(env.db, { userId: seeded.userId, format: 'csv', deviceIds: seeded.deviceIds });
      const sub = env.bus.subscribe('export.completed', (e) => e.exportId === id && completed.push(e.status));
      await env.bus.publish('export.requested', { exportId: id }, { msgId: `export:${id}` });
      const job = () => env.db.prisma.exportJob.findUniqueOrThrow({ where: { id } });
      await until(async () => (await job()).status === 'failed');
      await until(async () => (await env.bus.deadLetters.depth())['export.requested'] === 1);

      const listed = await pulse('dlq', 'list', '--subject', 'export.requested');
      expect(listed.code).toBe(0);
      const row = listed.stdout.split('\n').find((l) => l.includes(id));
      expect(row).toMatch(/^\d+\texport\.requested\t\S+\t2\t.*failed 2 times, last: the file storage refused the file/);
      const seq = Number(row!.split('\t')[0]);
      expect((await pulse('dlq', 'list', '--subject', 'report.requested')).stdout).toContain('0 dead letters');
      const shown = JSON.parse((await pulse('dlq', 'show', String(seq))).stdout);
      expect(shown).toMatchObject({ seq, subject: 'export.requested', payload: { exportId: id }, deliveryCount: 2 });

      // --dry-run changes nothing.
      const dry = await pulse('dlq', 'replay', String(seq), '--dry-run');
      expect(dry.stdout).toMatch(new RegExp(`^would replay\\t${seq}\\texport\\.requested`));
      expect((await job()).status).toBe('failed');
      expect(await env.bus.deadLetters.depth()).toEqual({ 'export.requested': 1 });

      // The cause is fixed; the replay runs the job once.
      await env.storage.ensureBucket(bucket);
      const replayed = await pulse('dlq', 'replay', String(seq));
      expect(replayed).toMatchObject({ code: 0 });
      expect(replayed.stdout).toMatch(
        new RegExp(`^replayed\\t${seq}\\texport\\.requested.*msg-id replay:${env.natsStream}:${seq}`),
      );
      await until(async () => (await job()).status === 'succeeded');
      const done = await job();
      expect(done.attempts).toBe(3);
      const file = await env.db.prisma.artifactFile.findUniqueOrThrow({ where: { id: done.fileId! } });
      expect(file.bucket).toBe(bucket);
      const csv = (await readObject(env.storage, bucket, file.objectKey)).toString('utf8');
      expect(csv.split('\n')[0]).toContain('device_id');
      expect(await env.bus.deadLetters.depth()).toEqual({});

      // Once: a second replay is refused, and no second run happens.
      const again = await pulse('dlq', 'replay', String(seq));
      expect(again.code).toBe(1);
      expect(again.stderr).toContain(`no dead letter ${seq}`);
      await new Promise((r) => setTimeout(r, 1500));
      expect((await job()).attempts).toBe(3);
      expect(completed).toEqual(['failed', 'succeeded']);
      let objects = 0;
      for await (const _ of env.storage.list(bucket)) objects++;
      expect(objects).toBe(1);

      // Who replayed what, on record.
      const actions = await env.db.prisma.deadLetterAction.findMany();
      expect(actions).toEqual([
        expect.objectContaining({
          action: 'replay',
          streamSeq: BigInt(seq),
          subject: 'export.requested',
          payload: { exportId: id },
          actor: 'cli:ops-alice',
          msgId: `replay:${env.natsStream}:${seq}`,
        }),
      ]);
      const history = await pulse('dlq', 'history');
      expect(history.stdout).toMatch(new RegExp(`\\treplay\\t${seq}\\texport\\.requested\\tcli:ops-alice\\t`));
      sub.unsubscribe();
    } finally {
      await consumer.stop();
      // The bucket exists only once the test got as far as fixing the cause.
      await (async () => {
        for await (const obj of env.storage.list(bucket)) await env.storage.delete(bucket, obj.key);
      })().catch(() => undefined);
    }
  }, 180_000);

  it('asks before a bulk action and discards with a record', async () => {
    const ids = [await createJob(env.db, { userId: seeded.userId, format: 'csv', deviceIds: seeded.deviceIds })];
    ids.push(await createJob(env.db, { userId: seeded.userId, format: 'csv', deviceIds: seeded.deviceIds }));
    const consumer = await startExportConsumer(
      { ...env.deps, bucket: 'pulse-dlq-never-there' },
      { maxDeliver: 2, backoffMs: () => 100 },
    );
    try {
      for (const id of ids) await env.bus.publish('export.requested', { exportId: id }, { msgId: `export:${id}` });
      await until(async () => (await env.bus.deadLetters.depth())['export.requested'] === 2);
    } finally {
      await consumer.stop();
    }
    // No terminal to confirm on, no --yes: refused, nothing changed.
    const refused = await pulse('dlq', 'discard', '--all', '--subject', 'export.requested');
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('not confirmed');
    expect(await env.bus.deadLetters.depth()).toEqual({ 'export.requested': 2 });
    const discarded = await pulse('dlq', 'discard', '--all', '--subject', 'export.requested', '--yes');
    expect(discarded.stdout.match(/^discarded\t/gm)).toHaveLength(2);
    expect(await env.bus.deadLetters.depth()).toEqual({});
    expect(await env.db.prisma.deadLetterAction.count({ where: { action: 'discard', actor: 'cli:ops-alice' } })).toBe(
      2,
    );
  }, 180_000);
});
