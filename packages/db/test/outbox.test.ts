import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { createLogger } from '@pulse/logger';
import { LogCapture } from '@pulse/testing';
import { InvalidPayloadError } from '@pulse/messages';
import { enqueueOutbox, type OutboxRelay, startOutboxRelay } from '../src';
import { type OpenTestDb, openTestDb } from '../src/testing';

interface Published {
  subject: string;
  payload: unknown;
  msgId: string;
}

// Payloads must match the message catalogue: enqueueOutbox validates them when the row is written.
const E = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;

describe('outbox', () => {
  let t: OpenTestDb;
  let published: Published[];
  let failNext: number;
  let relay: OutboxRelay;
  const logs = new LogCapture();

  beforeAll(async () => {
    t = await openTestDb('pulse_db_t');
    relay = startOutboxRelay({
      db: t.db,
      logger: createLogger({ name: 'outbox-test', level: 'debug', destination: logs }),
      // Long interval: the tests drive passes with flush() so they don't race the timer.
      intervalMs: 60_000,
      publish: async (subject, payload, { msgId }) => {
        if (subject === 'no.such.subject') {
          throw Object.assign(new Error('invalid payload for no.such.subject: unknown subject'), { permanent: true });
        }
        if (failNext > 0) {
          failNext--;
          throw new Error('nats unavailable');
        }
        published.push({ subject, payload, msgId });
      },
    });
  });
  afterAll(async () => {
    await relay.stop();
    await t.dispose();
  });
  beforeEach(async () => {
    await relay.flush();
    published = [];
    failNext = 0;
  });

  it('publishes nothing when the transaction rolls back', async () => {
    await expect(
      t.db.prisma.$transaction(async (tx) => {
        await enqueueOutbox(tx, { subject: 'export.requested', payload: { exportId: E(0) }, msgId: 'rolled-back' });
        throw new Error('job insert failed');
      }),
    ).rejects.toThrow('job insert failed');
    await expect(relay.flush()).resolves.toEqual({ published: 0, failed: 0 });
    expect(published).toEqual([]);
    expect(await t.db.prisma.outboxEvent.count()).toBe(0);
  });

  it('publishes a committed event once, with its msgId', async () => {
    await t.db.prisma.$transaction(async (tx) => {
      await enqueueOutbox(tx, { subject: 'export.requested', payload: { exportId: E(1) }, msgId: 'export:e1' });
    });
    await expect(relay.flush()).resolves.toEqual({ published: 1, failed: 0 });
    await expect(relay.flush()).resolves.toEqual({ published: 0, failed: 0 });
    expect(published).toEqual([{ subject: 'export.requested', payload: { exportId: E(1) }, msgId: 'export:e1' }]);
    const row = await t.db.prisma.outboxEvent.findUniqueOrThrow({ where: { msgId: 'export:e1' } });
    expect(row.publishedAt).toBeInstanceOf(Date);
  });

  it('keeps a message whose publish failed and retries it on the next pass', async () => {
    await t.db.prisma.$transaction(async (tx) => {
      await enqueueOutbox(tx, {
        subject: 'report.requested',
        payload: { period: '2026-10', followerId: E(100) },
        msgId: 'report:1',
      });
    });
    failNext = 1;
    await expect(relay.flush()).resolves.toEqual({ published: 0, failed: 1 });
    expect(published).toEqual([]);
    const failed = await t.db.prisma.outboxEvent.findUniqueOrThrow({ where: { msgId: 'report:1' } });
    expect(failed).toMatchObject({ publishedAt: null, attempts: 1, lastError: 'nats unavailable' });
    expect(logs.events('outbox_publish_error')).toEqual([
      expect.objectContaining({ msgId: 'report:1', subject: 'report.requested' }),
    ]);

    await expect(relay.flush()).resolves.toEqual({ published: 1, failed: 0 });
    expect(published.map((p) => p.msgId)).toEqual(['report:1']);
    const done = await t.db.prisma.outboxEvent.findUniqueOrThrow({ where: { msgId: 'report:1' } });
    expect(done).toMatchObject({ attempts: 1, lastError: null });
    expect(done.publishedAt).toBeInstanceOf(Date);
  });

  it('backs off a message the bus refuses for good, without holding up the others', async () => {
    await t.db.prisma.$transaction(async (tx) => {
      // A row no current code can write (enqueueOutbox refuses it), as an older deployment might have left.
      await tx.$executeRaw`INSERT INTO outbox (subject, payload, msg_id) VALUES ('no.such.subject', '{}', 'poison:1')`;
      await enqueueOutbox(tx, { subject: 'export.requested', payload: { exportId: E(9) }, msgId: 'export:e9' });
    });
    await expect(relay.flush()).resolves.toEqual({ published: 1, failed: 1 });
    const refused = await t.db.prisma.outboxEvent.findUniqueOrThrow({ where: { msgId: 'poison:1' } });
    expect(refused).toMatchObject({ publishedAt: null, attempts: 1 });
    const waitS = (refused.nextAttemptAt.getTime() - Date.now()) / 1000;
    expect(waitS).toBeGreaterThan(50);
    expect(waitS).toBeLessThanOrEqual(60);
    expect(logs.events('outbox_publish_rejected')).toEqual([expect.objectContaining({ msgId: 'poison:1' })]);
    // Not due: the next passes leave it alone instead of failing it again.
    await expect(relay.flush()).resolves.toEqual({ published: 0, failed: 0 });

    // Due again (as if a minute passed): refused again, now two minutes away.
    await t.db.pool.query(`UPDATE outbox SET next_attempt_at = now() WHERE msg_id = 'poison:1'`);
    await expect(relay.flush()).resolves.toEqual({ published: 0, failed: 1 });
    const again = await t.db.prisma.outboxEvent.findUniqueOrThrow({ where: { msgId: 'poison:1' } });
    expect(again.attempts).toBe(2);
    expect((again.nextAttemptAt.getTime() - Date.now()) / 1000).toBeGreaterThan(110);
    await t.db.pool.query(`DELETE FROM outbox WHERE msg_id = 'poison:1'`);
  });

  it('refuses a payload that does not match its subject when the row is written', async () => {
    await expect(
      t.db.prisma.$transaction(async (tx) => {
        await enqueueOutbox(tx, { subject: 'export.requested', payload: { exportId: 'not-a-uuid' }, msgId: 'bad:1' });
      }),
    ).rejects.toBeInstanceOf(InvalidPayloadError);
    expect(await t.db.prisma.outboxEvent.count({ where: { msgId: 'bad:1' } })).toBe(0);
  });

  it('lets concurrent relays share the rows without publishing any twice', async () => {
    await t.db.prisma.$transaction(async (tx) => {
      for (let i = 0; i < 30; i++) {
        await enqueueOutbox(tx, { subject: 'cleanup.requested', payload: { reason: `r${i}` }, msgId: `c${i}` });
      }
    });
    const other = startOutboxRelay({
      db: t.db,
      logger: createLogger({ name: 'outbox-test-2', level: 'silent' }),
      intervalMs: 60_000,
      batchSize: 7,
      publish: async (subject, payload, { msgId }) => {
        published.push({ subject, payload, msgId });
      },
    });
    try {
      await Promise.all([relay.flush(), other.flush(), other.flush(), relay.flush(), other.flush(), other.flush()]);
      await other.flush();
    } finally {
      await other.stop();
    }
    const ids = published.map((p) => p.msgId);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.sort()).toEqual(Array.from({ length: 30 }, (_, i) => `c${i}`).sort());
  });

  it('publishes on its own timer too', async () => {
    const timed: string[] = [];
    const auto = startOutboxRelay({
      db: t.db,
      logger: createLogger({ name: 'outbox-test-3', level: 'silent' }),
      intervalMs: 20,
      publish: async (_subject, _payload, { msgId }) => {
        timed.push(msgId);
      },
    });
    try {
      await t.db.prisma.$transaction(async (tx) => {
        await enqueueOutbox(tx, { subject: 'export.requested', payload: { exportId: E(2) }, msgId: 'export:e2' });
      });
      while (!timed.includes('export:e2')) await new Promise((r) => setTimeout(r, 20));
    } finally {
      await auto.stop();
    }
    expect(timed).toEqual(['export:e2']);
  });
});
