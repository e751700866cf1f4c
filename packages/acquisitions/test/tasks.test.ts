import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Db } from '@pulse/db';
import { type OpenTestDb, openTestDb } from '@pulse/db/testing';
import {
  type AcquisitionResult,
  type ClaimedTask,
  cancelTask,
  claimTask,
  countFailedReceiver,
  createTask,
  findOwnedTask,
  finishTask,
  listMeasurements,
  listTasks,
  markFailed,
  type NewTask,
  saveMeasurement,
} from '../src';

let t: OpenTestDb;
let db: Db;

beforeAll(async () => {
  t = await openTestDb('pulse_acq_tasks_t');
  db = t.db;
});
afterAll(async () => {
  await t.dispose();
});

async function newUser(): Promise<string> {
  const tag = randomUUID().slice(0, 8);
  return (await db.prisma.user.create({ data: { email: `${tag}@acq.test`, name: tag } })).id;
}

const request = (userId: string): NewTask => ({
  userId,
  frequencyHz: 7_100_000,
  durationMs: 1000,
  sampleRate: 12_000,
  receivers: ['rx-a', 'rx-b', 'rx-c'],
});

async function created(userId: string): Promise<string> {
  const r = await createTask(db, request(userId), { maxActive: 10 });
  if (!r.created) throw new Error('expected a task');
  return r.taskId;
}

async function claimed(taskId: string): Promise<ClaimedTask> {
  const claim = await claimTask(db, taskId);
  if (!claim.claimed) throw new Error(`expected a claim, got ${claim.state}`);
  return claim.task;
}

const stored = (task: ClaimedTask, receiverId: string) =>
  saveMeasurement(db, {
    task,
    receiverId,
    sampleCount: 12_000,
    snrDb: 21.5,
    startedAt: new Date('2026-12-01T10:00:00Z'),
    endedAt: new Date('2026-12-01T10:00:01Z'),
    npy: {
      bucket: 'raw',
      key: `sessions/${task.id}/${receiverId}.npy`,
      contentType: 'application/octet-stream',
      size: 96_128,
      sha256: 'b'.repeat(64),
      filename: `${receiverId}.npy`,
    },
    metadata: {
      bucket: 'raw',
      key: `sessions/${task.id}/${receiverId}.json`,
      contentType: 'application/json',
      size: 512,
      sha256: 'c'.repeat(64),
      filename: `${receiverId}.json`,
    },
  });

describe('createTask', () => {
  it('writes the queued task with its acquisition.requested outbox row, capped per user under a burst', async () => {
    const userId = await newUser();
    const results = await Promise.all(
      Array.from({ length: 4 }, () => createTask(db, request(userId), { maxActive: 2 })),
    );
    expect(results.filter((r) => r.created)).toHaveLength(2);
    expect(results.filter((r) => !r.created)).toEqual([
      { created: false, active: 2 },
      { created: false, active: 2 },
    ]);
    const tasks = await db.prisma.acquisitionTask.findMany({ where: { userId } });
    expect(tasks).toHaveLength(2);
    for (const t of tasks) {
      expect(t).toMatchObject({ state: 'QUEUED', total: 3, current: 0, receivers: ['rx-a', 'rx-b', 'rx-c'] });
      const outbox = await db.prisma.outboxEvent.findUniqueOrThrow({ where: { msgId: `acquisition:${t.id}` } });
      expect(outbox).toMatchObject({ subject: 'acquisition.requested', payload: { taskId: t.id } });
    }
  });
});

describe('the worker’s state changes', () => {
  it('claim, measurements, a failed receiver and finish; a redelivered claim counts what is stored', async () => {
    const userId = await newUser();
    const taskId = await created(userId);
    const task = await claimed(taskId);
    expect(task).toMatchObject({ id: taskId, userId, frequencyHz: 7_100_000, receivers: ['rx-a', 'rx-b', 'rx-c'] });
    expect(await db.prisma.artifact.findUniqueOrThrow({ where: { id: task.artifactId } })).toMatchObject({
      kind: 'acquisition',
      ownerId: userId,
    });

    const a = await stored(task, 'rx-a');
    expect(a.counters).toEqual({ current: 1, total: 3, successful: 1, failed: 0 });
    expect(await countFailedReceiver(db, taskId)).toEqual({ current: 2, total: 3, successful: 1, failed: 1 });

    // The worker died here: the message comes back, rx-a is already stored and is not captured again.
    const again = await claimTask(db, taskId);
    expect(again).toMatchObject({ claimed: true, task: { artifactId: task.artifactId } });
    expect(again.claimed && again.stored.map((m) => m.receiverId)).toEqual(['rx-a']);
    const b = await stored(task, 'rx-b');
    const redone = await stored(task, 'rx-a');
    expect(redone.measurement.npyFileId).toBe(a.measurement.npyFileId);
    expect(b.counters).toEqual({ current: 2, total: 3, successful: 2, failed: 0 });
    expect(await db.prisma.artifactFile.count({ where: { artifactId: task.artifactId } })).toBe(4);

    const result = { status: 'PARTIAL_FAILURE' } as AcquisitionResult;
    await finishTask(db, taskId, { result, error: 'rx-c: refused' });
    expect(await db.prisma.acquisitionTask.findUniqueOrThrow({ where: { id: taskId } })).toMatchObject({
      state: 'PARTIAL_FAILURE',
      result,
      error: 'rx-c: refused',
    });
    expect(await claimTask(db, taskId)).toEqual({ claimed: false, state: 'PARTIAL_FAILURE' });
    expect(await markFailed(db, taskId, 'late')).toBeNull();
    expect((await listMeasurements(db, task)).map((m) => m.receiverId)).toEqual(['rx-a', 'rx-b']);
  });

  it('a cancelled task is never finished or failed over; a given-up one is FAILED', async () => {
    const userId = await newUser();
    const taskId = await created(userId);
    await claimed(taskId);
    expect(await cancelTask(db, { taskId, userId })).toEqual({ cancelled: true });
    await finishTask(db, taskId, { result: { status: 'SUCCESS' } as AcquisitionResult, error: null });
    expect(await markFailed(db, taskId, 'given up')).toBeNull();
    expect((await db.prisma.acquisitionTask.findUniqueOrThrow({ where: { id: taskId } })).state).toBe('CANCELLED');

    const other = await created(userId);
    expect(await markFailed(db, other, 'the acquisition could not be completed (x)')).toEqual({ userId });
    expect(await db.prisma.acquisitionTask.findUniqueOrThrow({ where: { id: other } })).toMatchObject({
      state: 'FAILED',
      error: 'the acquisition could not be completed (x)',
    });
    expect(await claimTask(db, randomUUID())).toEqual({ claimed: false, state: null });
  });
});

describe('the API queries', () => {
  it('find only the owner’s tasks and list them newest first by keyset', async () => {
    const alice = await newUser();
    const bob = await newUser();
    const ids = [await created(alice), await created(alice), await created(alice)];
    const bobs = await created(bob);
    expect(await findOwnedTask(db, { taskId: bobs, userId: alice })).toBeNull();
    expect((await findOwnedTask(db, { taskId: ids[1]!, userId: alice }))?.id).toBe(ids[1]);
    const first = await listTasks(db, { userId: alice, limit: 2 });
    expect(first.more).toBe(true);
    const second = await listTasks(db, { userId: alice, limit: 2, after: first.tasks.at(-1) });
    expect(second.more).toBe(false);
    expect([...first.tasks, ...second.tasks].map((t) => t.id).sort()).toEqual([...ids].sort());
  });
});
