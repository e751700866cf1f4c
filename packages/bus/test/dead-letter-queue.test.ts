import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createLogger } from '@pulse/logger';
import { LogCapture } from '@pulse/testing';
import { connectBus, PermanentError } from '../src';
import { openTestBus, sleep, type TestBus } from './helpers';

describe('the dead-letter queue', () => {
  let t: TestBus;
  beforeAll(async () => {
    t = await openTestBus();
  });
  afterAll(async () => {
    await t.dispose();
  });

  it('counts, lists, reads and removes dead letters by subject; the metrics hook hears each one', async () => {
    const counted: string[] = [];
    const bus = await connectBus({
      config: t.config,
      logger: createLogger({ name: 'dlq-test', destination: new LogCapture() }),
      name: 'dlq-test',
      metrics: { deadLettered: (subject) => counted.push(subject) },
    });
    expect(await bus.deadLetters.depth()).toEqual({});
    expect(await bus.deadLetters.list()).toEqual([]);

    const ids = [randomUUID(), randomUUID()];
    const consumer = await bus.consume(
      'export.requested',
      async (payload) => {
        throw new PermanentError(`poisoned ${payload.exportId}`);
      },
      { durable: 'dlq-poisoned' },
    );
    for (const exportId of ids) await t.bus.publish('export.requested', { exportId });
    while ((await t.bus.deadLetters.depth())['export.requested'] !== 2) await sleep(50);
    await consumer.stop();
    await bus.close();
    expect(counted).toEqual(['export.requested', 'export.requested']);

    const listed = await t.bus.deadLetters.list({ subject: 'export.requested' });
    expect(listed.map((d) => [d.subject, d.payload, d.reason])).toEqual(
      ids.map((exportId) => ['export.requested', { exportId }, `poisoned ${exportId}`]),
    );
    expect(listed[0]!.deadAt.getTime()).toBeGreaterThan(Date.now() - 60_000);
    expect(await t.bus.deadLetters.list({ subject: 'report.requested' })).toEqual([]);
    expect(await t.bus.deadLetters.list({ limit: 1 })).toHaveLength(1);

    const first = listed[0]!;
    expect(await t.bus.deadLetters.get(first.seq)).toEqual(first);
    expect(await t.bus.deadLetters.remove(first.seq)).toBe(true);
    expect(await t.bus.deadLetters.get(first.seq)).toBeNull();
    expect(await t.bus.deadLetters.remove(first.seq)).toBe(false);
    expect(await t.bus.deadLetters.depth()).toEqual({ 'export.requested': 1 });
    // A sequence that is not a dead letter is not one: the original request is still in the stream.
    const original = await t.jsm.streams.getMessage(t.config.stream, {
      last_by_subj: `${t.config.subjectPrefix}.export.requested`,
    });
    expect(await t.bus.deadLetters.get(original.seq)).toBeNull();
  });
});
