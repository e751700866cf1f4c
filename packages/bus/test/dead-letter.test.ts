import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import type { Subscription } from 'nats';
import { type DeadLetter, PermanentError } from '../src';
import { openTestBus, sleep, type TestBus, until } from './helpers';

describe('dead letters (maxDeliver 3)', () => {
  let t: TestBus;
  let sub: Subscription;
  let onWire: DeadLetter[];
  beforeAll(async () => {
    t = await openTestBus();
    sub = t.nc.subscribe(`${t.config.subjectPrefix}.dead.>`, {
      callback: (_err, msg) => onWire.push(msg.json<DeadLetter>()),
    });
    await t.nc.flush();
  });
  afterAll(async () => {
    sub.unsubscribe();
    await t.dispose();
  });
  beforeEach(() => {
    onWire = [];
  });

  it('gives up after maxDeliver failed deliveries, once, with the reason', async () => {
    const calls: number[] = [];
    const dead: DeadLetter[] = [];
    const exportId = randomUUID();
    const consumer = await t.bus.consume(
      'export.requested',
      async (_payload, ctx) => {
        calls.push(ctx.deliveryCount);
        throw new Error('renderer crashed');
      },
      { durable: 'always-fails', backoffMs: () => 50, onDeadLetter: async (d) => void dead.push(d) },
    );
    await t.bus.publish('export.requested', { exportId });
    await until(() => dead.length === 1);
    // One more ack wait: a 4th delivery would show up here.
    await sleep(1500);
    await consumer.stop();

    expect(calls).toEqual([1, 2, 3]);
    const expected = {
      subject: 'export.requested',
      payload: { exportId },
      reason: 'failed 3 times, last: renderer crashed',
      deliveryCount: 3,
    };
    expect(dead).toEqual([expected]);
    await until(() => onWire.length === 1);
    expect(onWire).toEqual([expected]);
    const stored = await t.jsm.streams.getMessage(t.config.stream, {
      last_by_subj: `${t.config.subjectPrefix}.dead.export.requested`,
    });
    expect(stored.json()).toEqual(expected);
    const info = await t.jsm.consumers.info(t.config.stream, 'always-fails');
    expect(info.num_ack_pending + info.num_pending).toBe(0);
  });

  it('dead-letters a PermanentError on the first delivery', async () => {
    const calls: number[] = [];
    const dead: DeadLetter[] = [];
    const typed: (string | undefined)[] = [];
    const consumer = await t.bus.consume(
      'acquisition.requested',
      async (_payload, ctx) => {
        calls.push(ctx.deliveryCount);
        throw new PermanentError('task does not exist');
      },
      {
        durable: 'permanent',
        onDeadLetter: async (d, payload) => {
          dead.push(d);
          typed.push(payload?.taskId);
        },
      },
    );
    const taskId = randomUUID();
    await t.bus.publish('acquisition.requested', { taskId });
    await until(() => dead.length === 1);
    await sleep(1500);
    await consumer.stop();
    expect(calls).toEqual([1]);
    expect(dead).toEqual([
      { subject: 'acquisition.requested', payload: { taskId }, reason: 'task does not exist', deliveryCount: 1 },
    ]);
    // The hook gets the validated payload, typed by the subject.
    expect(typed).toEqual([taskId]);
    // The dead-letter message travels on its own; wait for it rather than assume it beat the callback.
    await until(() => onWire.length === 1);
    expect(onWire).toHaveLength(1);
  });

  it('dead-letters invalid payloads without calling the handler', async () => {
    const handled: unknown[] = [];
    const dead: DeadLetter[] = [];
    const validated: unknown[] = [];
    const consumer = await t.bus.consume(
      'report.requested',
      async (payload) => {
        handled.push(payload);
      },
      {
        durable: 'invalid',
        onDeadLetter: async (d, payload) => {
          dead.push(d);
          validated.push(payload);
        },
      },
    );
    // Another publisher's bug: bypasses the bus's own validation.
    const js = t.nc.jetstream();
    const subject = `${t.config.subjectPrefix}.report.requested`;
    await js.publish(subject, new TextEncoder().encode(JSON.stringify({ period: '2026-13', followerId: 'x' })));
    await js.publish(subject, new TextEncoder().encode('not json'));
    await until(() => dead.length === 2);
    await consumer.stop();

    expect(handled).toEqual([]);
    expect(dead).toEqual([
      expect.objectContaining({
        payload: { period: '2026-13', followerId: 'x' },
        deliveryCount: 1,
        reason: expect.stringMatching(/period: YYYY-MM.*followerId/),
      }),
      expect.objectContaining({ payload: 'not json', deliveryCount: 1, reason: expect.stringContaining('not JSON') }),
    ]);
    // Malformed: there is no typed payload, only what arrived (in `dead.payload`).
    expect(validated).toEqual([undefined, undefined]);
    // The dead-letter message travels on its own; wait for it rather than assume it beat the callback.
    await until(() => onWire.length === 2);
    expect(onWire).toHaveLength(2);
  });
});
