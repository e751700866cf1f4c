import { afterAll, beforeAll, expect, it } from '@jest/globals';
import type { Bus, Consumer, Payload } from '@pulse/bus';
import { startAcquisitionConsumer } from '../src/consumer';
import { openWorkerEnv, type WorkerEnv } from './env';

let env: WorkerEnv;
let bus: Bus;
let consumer: Consumer;

beforeAll(async () => {
  env = await openWorkerEnv();
  bus = await env.connectBus();
  const deps = { ...env.deps(), bus, settings: { ...env.config.app, maxSamples: 100_000 } };
  consumer = await startAcquisitionConsumer(bus, deps, { concurrency: 1, maxDeliver: 2, backoffMs: () => 100 });
});
afterAll(async () => {
  await consumer.stop();
  await env.dispose();
});

async function until<T>(read: () => Promise<T>, done: (v: T) => boolean, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > deadline) throw new Error(`timed out; last value ${JSON.stringify(value)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const task = (id: string) => env.db.prisma.acquisitionTask.findUniqueOrThrow({ where: { id } });

it('a published request is consumed, stored, and its progress fans out to subscribers', async () => {
  const taskId = await env.createTask();
  const seen: Payload<'acquisition.progress'>[] = [];
  const completed: Payload<'acquisition.completed'>[] = [];
  const subs = [
    bus.subscribe('acquisition.progress', (p) => p.taskId === taskId && seen.push(p)),
    bus.subscribe('acquisition.completed', (p) => p.taskId === taskId && completed.push(p)),
  ];
  await bus.publish('acquisition.requested', { taskId }, { msgId: `acquisition:${taskId}` });
  const row = await until(
    () => task(taskId),
    (t) => t.state === 'SUCCESS',
  );
  expect(row).toMatchObject({ current: 7, successful: 7 });
  await until(
    async () => completed.length,
    (n) => n === 1,
  );
  expect(completed[0]).toEqual({ taskId, userId: env.userId, state: 'SUCCESS' });
  expect(seen.at(-1)).toMatchObject({ current: 7, total: 7, successful: 7, failed: 0 });
  for (const s of subs) s.unsubscribe();

  // The same request published again (a relay retry after a crash) is deduplicated or acked as done.
  await bus.publish('acquisition.requested', { taskId }, { msgId: `acquisition:${taskId}:again` });
  await until(
    async () => env.logs.events('acquisition_skipped').filter((e) => e.taskId === taskId).length,
    (n) => n === 1,
  );
  expect(await env.db.prisma.measurement.count({ where: { taskId } })).toBe(7);
});

it('a task the worker can never run is dead-lettered and marked FAILED with the reason', async () => {
  const taskId = await env.createTask({ durationMs: 1000, sampleRate: 200_000 });
  await bus.publish('acquisition.requested', { taskId }, { msgId: `acquisition:${taskId}` });
  const row = await until(
    () => task(taskId),
    (t) => t.state === 'FAILED',
  );
  expect(row.error).toMatch(/over the limit/);
  expect(row.finishedAt).toBeInstanceOf(Date);
});
