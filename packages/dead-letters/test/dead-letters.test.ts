import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { type Bus, connectBus, PermanentError } from '@pulse/bus';
import { loadConfig, natsConfig } from '@pulse/config';
import type { Db } from '@pulse/db';
import { type OpenTestDb, openTestDb } from '@pulse/db/testing';
import { createLogger } from '@pulse/logger';
import { LogCapture, NATS_URL, uniqueName } from '@pulse/testing';
import { connect } from 'nats';
import { type DeadLetterDeps, DeadLetterError, discardDeadLetter, recentActions, replayDeadLetter } from '../src';

let t: OpenTestDb;
let db: Db;
let bus: Bus;
let deps: DeadLetterDeps;
const stream = uniqueName('t_dlq');

beforeAll(async () => {
  t = await openTestDb('pulse_dlq_t');
  db = t.db;
  const { nats } = loadConfig(
    { nats: natsConfig },
    { NATS_URL, NATS_STREAM: stream, NATS_SUBJECT_PREFIX: stream, NATS_MAX_DELIVER: '2' },
  );
  bus = await connectBus({ config: nats, logger: createLogger({ name: 't', destination: new LogCapture() }) });
  deps = { db, bus, stream };
});
afterAll(async () => {
  await bus.close();
  const nc = await connect({ servers: NATS_URL });
  await (await nc.jetstreamManager()).streams.delete(stream).catch(() => undefined);
  await nc.close();
  await t.dispose();
});

/** Dead-letters one message (its handler refuses it at once) and returns its sequence. */
async function poison(publish: () => Promise<unknown>, subject: 'acquisition.requested' | 'export.requested') {
  const before = (await bus.deadLetters.depth())[subject] ?? 0;
  const consumer = await bus.consume(
    subject,
    async () => {
      throw new PermanentError('poisoned');
    },
    { durable: `t-${subject.replace('.', '-')}` },
  );
  await publish();
  while (((await bus.deadLetters.depth())[subject] ?? 0) === before) await new Promise((r) => setTimeout(r, 50));
  await consumer.stop();
  return (await bus.deadLetters.list({ subject })).at(-1)!.seq;
}

const refusal = (p: Promise<unknown>) =>
  p.then(
    () => 'accepted',
    (err) => (err instanceof DeadLetterError ? err.code : String(err)),
  );

describe('dead letters', () => {
  it('refuses what it cannot replay, changes nothing on a dry run, and records a discard once', async () => {
    expect(await refusal(replayDeadLetter(deps, 999_999, { actor: 'cli:t' }))).toBe('not_found');

    const acq = await poison(
      () => bus.publish('acquisition.requested', { taskId: randomUUID() }),
      'acquisition.requested',
    );
    expect(await refusal(replayDeadLetter(deps, acq, { actor: 'cli:t' }))).toBe('not_replayable');

    // An export whose job is not failed (here: none) is not revived behind its owner's back.
    const exp = await poison(() => bus.publish('export.requested', { exportId: randomUUID() }), 'export.requested');
    expect(await refusal(replayDeadLetter(deps, exp, { actor: 'cli:t', dryRun: true }))).toBe('accepted');
    expect(await refusal(replayDeadLetter(deps, exp, { actor: 'cli:t' }))).toBe('job_not_failed');
    expect(await db.prisma.outboxEvent.count()).toBe(0);
    expect(await db.prisma.deadLetterAction.count()).toBe(0);

    expect(await discardDeadLetter(deps, acq, { actor: 'admin:u1', dryRun: true })).toMatchObject({ dryRun: true });
    expect(await bus.deadLetters.get(acq)).not.toBeNull();
    await discardDeadLetter(deps, acq, { actor: 'admin:u1' });
    expect(await bus.deadLetters.get(acq)).toBeNull();
    expect(await refusal(discardDeadLetter(deps, acq, { actor: 'admin:u1' }))).toBe('not_found');
    const [action] = await recentActions(db);
    expect(action).toMatchObject({
      action: 'discard',
      streamSeq: BigInt(acq),
      subject: 'acquisition.requested',
      reason: 'poisoned',
      actor: 'admin:u1',
    });
  });
});
