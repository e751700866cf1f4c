import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { dynamicPublisher, InvalidPayloadError, type Payload } from '../src';
import { gate, openTestBus, sleep, type TestBus, until } from './helpers';

describe('publish and consume', () => {
  let t: TestBus;
  beforeAll(async () => {
    t = await openTestBus();
  });
  afterAll(() => t.dispose());

  it('delivers a published message to the handler, then acks it', async () => {
    const got: unknown[] = [];
    const exportId = randomUUID();
    const consumer = await t.bus.consume(
      'export.requested',
      async (payload, ctx) => {
        got.push({ payload, deliveryCount: ctx.deliveryCount, msgId: ctx.msgId, subject: ctx.subject });
      },
      { durable: 'round-trip' },
    );
    const ack = await t.bus.publish('export.requested', { exportId }, { msgId: `export:${exportId}` });
    expect(ack).toEqual({ duplicate: false, seq: expect.any(Number) });
    await until(() => got.length === 1);
    await consumer.stop();
    expect(got).toEqual([
      { payload: { exportId }, deliveryCount: 1, msgId: `export:${exportId}`, subject: 'export.requested' },
    ]);
    const info = await t.jsm.consumers.info(t.config.stream, 'round-trip');
    expect(info.num_ack_pending).toBe(0);
    expect(info.config.filter_subject).toBe(`${t.config.subjectPrefix}.export.requested`);
  });

  it('stores a message published twice with one msgId once', async () => {
    const taskId = randomUUID();
    const first = await t.bus.publish('acquisition.requested', { taskId }, { msgId: `acq:${taskId}` });
    const second = await t.bus.publish('acquisition.requested', { taskId }, { msgId: `acq:${taskId}` });
    expect(first.duplicate).toBe(false);
    expect(second).toEqual({ duplicate: true, seq: first.seq });

    const sentinel = randomUUID();
    await t.bus.publish('acquisition.requested', { taskId: sentinel });
    const seen: string[] = [];
    const consumer = await t.bus.consume(
      'acquisition.requested',
      async ({ taskId: id }) => {
        seen.push(id);
      },
      { durable: 'dedup' },
    );
    // In-order delivery: once the sentinel is handled, any duplicate would already have been.
    await until(() => seen.includes(sentinel));
    await consumer.stop();
    expect(seen).toEqual([taskId, sentinel]);
  });

  it('rejects an invalid payload on publish, with a typed error, and stores nothing', async () => {
    const before = await t.jsm.streams.info(t.config.stream);
    const bad = t.bus.publish('export.requested', { exportId: 'not-a-uuid' } as Payload<'export.requested'>);
    await expect(bad).rejects.toBeInstanceOf(InvalidPayloadError);
    await expect(bad).rejects.toMatchObject({ code: 'invalid_payload', subject: 'export.requested' });
    const after = await t.jsm.streams.info(t.config.stream);
    expect(after.state.messages).toBe(before.state.messages);
  });

  it('publishes subjects held as data (outbox rows) with the same run-time checks', async () => {
    const publish = dynamicPublisher(t.bus);
    const payload: unknown = { exportId: randomUUID(), userId: randomUUID(), status: 'succeeded' };
    const subject: string = 'export.completed';
    await expect(publish(subject, payload, { msgId: 'outbox:1' })).resolves.toMatchObject({ duplicate: false });
    await expect(publish(subject, payload, { msgId: 'outbox:1' })).resolves.toMatchObject({ duplicate: true });
    // `permanent`: the outbox relay backs such a row off instead of retrying it on every pass.
    await expect(publish('no.such.subject', {})).rejects.toMatchObject({ reason: 'unknown subject', permanent: true });
    await expect(publish(subject, { status: 'succeeded' })).rejects.toBeInstanceOf(InvalidPayloadError);
  });

  it('retries a failing handler with a delay and succeeds on the next delivery', async () => {
    const attempts: number[] = [];
    const consumer = await t.bus.consume(
      'cleanup.requested',
      async (_payload, ctx) => {
        attempts.push(ctx.deliveryCount);
        if (ctx.deliveryCount === 1) throw new Error('S3 unavailable');
      },
      { durable: 'retry', backoffMs: () => 100 },
    );
    await t.bus.publish('cleanup.requested', { reason: 'nightly' });
    await until(() => attempts.length === 2);
    await consumer.stop();
    expect(attempts).toEqual([1, 2]);
    expect(t.logs.events('bus_handler_error')).toEqual([
      expect.objectContaining({ subject: 'cleanup.requested', deliveryCount: 1, delayMs: 100 }),
    ]);
  });

  it('keeps at most `concurrency` handlers in flight', async () => {
    let running = 0;
    let maxRunning = 0;
    let done = 0;
    const release = gate();
    const consumer = await t.bus.consume(
      'report.requested',
      async () => {
        running++;
        maxRunning = Math.max(maxRunning, running);
        await release.promise;
        running--;
        done++;
      },
      { durable: 'concurrency', concurrency: 3 },
    );
    for (let i = 0; i < 7; i++) {
      await t.bus.publish('report.requested', { period: '2026-10', followerId: randomUUID() });
    }
    await until(() => running === 3);
    // Give a 4th handler the chance to start if the limit were broken.
    await sleep(300);
    expect(running).toBe(3);
    release.open();
    await until(() => done === 7);
    await consumer.stop();
    expect(maxRunning).toBe(3);
  });

  it('fans out emitted events to core subscribers and drops invalid ones', async () => {
    const got: Payload<'export.progress'>[] = [];
    const sub = t.bus.subscribe('export.progress', (p) => got.push(p));
    const event = { exportId: randomUUID(), userId: randomUUID(), rowsDone: 10, status: 'running' };
    t.bus.emit('export.progress', event);
    // Once the first event arrived the subscription is live on the server, so the next one must reach it.
    await until(() => got.length === 1);
    // A malformed event on the wire (another publisher's bug) is logged and skipped.
    t.nc.publish(`${t.config.subjectPrefix}.export.progress`, new TextEncoder().encode('{"exportId":1}'));
    await until(() => t.logs.events('bus_subscriber_error').length === 1);
    sub.unsubscribe();
    expect(got).toEqual([event]);
    expect(() => t.bus.emit('export.progress', { ...event, rowsDone: -1 })).toThrow(InvalidPayloadError);
  });

  it('reports the connection state', async () => {
    expect(t.bus.isConnected()).toBe(true);
    const replica = await t.connectReplica();
    await replica.close();
    expect(replica.isConnected()).toBe(false);
  });
});
