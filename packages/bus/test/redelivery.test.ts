import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { openTestBus, sleep, type TestBus, until } from './helpers';

const FIXTURE = fileURLToPath(new URL('./fixtures/hanging-consumer.ts', import.meta.url));

describe('redelivery and ack deadlines (ackWait 1 s)', () => {
  let t: TestBus;
  beforeAll(async () => {
    t = await openTestBus();
  });
  afterAll(() => t.dispose());

  it('redelivers a message whose handler died without acking', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', FIXTURE], {
      env: {
        ...process.env,
        NATS_URL: t.config.url,
        NATS_STREAM: t.config.stream,
        NATS_SUBJECT_PREFIX: t.config.subjectPrefix,
        NATS_ACK_WAIT_MS: String(t.config.ackWaitMs),
        NATS_MAX_DELIVER: String(t.config.maxDeliver),
        DURABLE: 'crash',
      },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
    });
    try {
      await until(() => out.includes('ready'));
      const exportId = randomUUID();
      await t.bus.publish('export.requested', { exportId });
      await until(() => out.includes('received'));
    } finally {
      child.kill('SIGKILL');
      if (child.exitCode === null && child.signalCode === null) await once(child, 'exit');
    }

    const deliveries: number[] = [];
    const consumer = await t.bus.consume(
      'export.requested',
      async (_payload, ctx) => {
        deliveries.push(ctx.deliveryCount);
      },
      { durable: 'crash' },
    );
    await until(() => deliveries.length === 1);
    await consumer.stop();
    expect(deliveries).toEqual([2]);
  });

  it('on stop, aborts ctx.signal and releases the message for immediate redelivery', async () => {
    const first = await t.bus.consume(
      'cleanup.requested',
      (_payload, ctx) =>
        new Promise<void>((_resolve, reject) => {
          ctx.signal.addEventListener('abort', () => reject(new Error('aborted')));
        }),
      { durable: 'stop-mid' },
    );
    await t.bus.publish('cleanup.requested', { reason: 'stop-mid' });
    await until(() => t.logs.events('bus_consumer_started').some((e) => e.durable === 'stop-mid'));
    const info = async () => t.jsm.consumers.info(t.config.stream, 'stop-mid');
    while ((await info()).num_ack_pending === 0) await sleep(20);
    await first.stop();
    expect(t.logs.events('bus_handler_interrupted')).toHaveLength(1);

    const deliveries: number[] = [];
    const second = await t.bus.consume(
      'cleanup.requested',
      async (_payload, ctx) => {
        deliveries.push(ctx.deliveryCount);
      },
      { durable: 'stop-mid' },
    );
    await until(() => deliveries.length === 1);
    await second.stop();
    expect(deliveries).toEqual([2]);
  });

  describe('a handler running 2.5 s', () => {
    const slowHandler =
      (deliveries: number[], callWorking: boolean) =>
      async (_p: unknown, ctx: { deliveryCount: number; working(): void }) => {
        deliveries.push(ctx.deliveryCount);
        if (ctx.deliveryCount > 1) return;
        for (let i = 0; i < 10; i++) {
          await sleep(250);
          if (callWorking) ctx.working();
        }
      };

    it('is redelivered meanwhile without working() (control)', async () => {
      const deliveries: number[] = [];
      const consumer = await t.bus.consume('acquisition.requested', slowHandler(deliveries, false), {
        durable: 'no-working',
        autoWorkingMs: 0,
        concurrency: 2,
      });
      await t.bus.publish('acquisition.requested', { taskId: randomUUID() });
      await until(() => deliveries.length === 2);
      await consumer.stop();
      expect(deliveries).toEqual([1, 2]);
    });

    it('is not redelivered when it calls ctx.working()', async () => {
      const deliveries: number[] = [];
      const consumer = await t.bus.consume('report.requested', slowHandler(deliveries, true), {
        durable: 'manual-working',
        autoWorkingMs: 0,
        concurrency: 2,
      });
      const { seq } = await t.bus.publish('report.requested', { period: '2026-10', followerId: randomUUID() });
      await until(() => deliveries.length === 1);
      // Wait for the ack, then one more ackWait for a redelivery that must not come.
      while ((await t.jsm.consumers.info(t.config.stream, 'manual-working')).ack_floor.stream_seq < seq)
        await sleep(50);
      await sleep(1200);
      await consumer.stop();
      expect(deliveries).toEqual([1]);
    });

    it('is not redelivered with the automatic working() alone', async () => {
      const deliveries: number[] = [];
      // A subject of its own: a new durable starts at the beginning of the stream.
      const consumer = await t.bus.consume('acquisition.completed', slowHandler(deliveries, false), {
        durable: 'auto-working',
        concurrency: 2,
      });
      const { seq } = await t.bus.publish('acquisition.completed', {
        taskId: randomUUID(),
        userId: randomUUID(),
        state: 'SUCCESS',
      });
      await until(() => deliveries.length === 1);
      while ((await t.jsm.consumers.info(t.config.stream, 'auto-working')).ack_floor.stream_seq < seq) await sleep(50);
      await sleep(1200);
      await consumer.stop();
      expect(deliveries).toEqual([1]);
    });
  });
});
