import type { Logger } from '@pulse/logger';
import { type Payload, type Subject, validatePayload } from '@pulse/messages';
import type { Db } from './client';
import type { Prisma } from './generated/prisma/client';

export interface OutboxMessage<S extends Subject = Subject> {
  /** Bus subject key, e.g. `export.requested` (the bus adds its prefix). */
  subject: S;
  payload: Payload<S>;
  /** Becomes the bus dedup id, so a row published twice (crash between publish and mark) is stored once. */
  msgId: string;
}

/**
 * Writes the event in the caller's transaction: it is published if and only if the transaction commits.
 * The payload is checked against the message catalogue here (InvalidPayloadError), so a bad payload fails
 * the write that made it instead of backing off in the relay long after the request was answered.
 */
export async function enqueueOutbox<S extends Subject>(
  tx: Prisma.TransactionClient,
  message: OutboxMessage<S>,
): Promise<void> {
  const payload = validatePayload(message.subject, message.payload) as Prisma.InputJsonValue;
  await tx.outboxEvent.create({ data: { subject: message.subject, payload, msgId: message.msgId } });
}

/**
 * Matches `bus.publish`; the relay only needs it to resolve once the message is stored. A rejection
 * whose error has `permanent: true` (the bus's InvalidPayloadError) means retrying cannot help.
 */
export type OutboxPublish = (subject: string, payload: unknown, options: { msgId: string }) => Promise<unknown>;

export interface OutboxRelayOptions {
  db: Pick<Db, 'pool'>;
  publish: OutboxPublish;
  logger: Logger;
  /** Poll period when the outbox is empty; default 1000. */
  intervalMs?: number;
  /** Rows claimed per pass; default 100. */
  batchSize?: number;
}

export interface RelayPass {
  published: number;
  failed: number;
}

export interface OutboxRelay {
  /** Runs one pass now (after a write, to cut latency; in tests, to be deterministic). */
  flush(): Promise<RelayPass>;
  /** Stops polling and waits for the pass in progress. */
  stop(): Promise<void>;
}

interface OutboxRow {
  id: string;
  subject: string;
  payload: unknown;
  msg_id: string;
}

// SKIP LOCKED lets every replica run a relay: each claims a disjoint batch, nobody waits.
const CLAIM = `SELECT id, subject, payload, msg_id FROM outbox
  WHERE published_at IS NULL AND next_attempt_at <= now() ORDER BY id LIMIT $1 FOR UPDATE SKIP LOCKED`;
const MARK_PUBLISHED = 'UPDATE outbox SET published_at = now(), last_error = NULL WHERE id = ANY($1::bigint[])';
// A transient failure (the bus is down) leaves the row due: it goes out as soon as the bus is back.
const MARK_FAILED = 'UPDATE outbox SET attempts = attempts + 1, last_error = $2 WHERE id = $1';
// A refusal for good (a payload the bus rejects) would fail on every pass: 1, 2, 4 … minutes apart, at
// most an hour, so that a fixed deployment still picks the row up.
const MARK_REJECTED = `UPDATE outbox SET attempts = attempts + 1, last_error = $2,
  next_attempt_at = now() + least(interval '1 minute' * power(2, attempts), interval '1 hour') WHERE id = $1`;

const isPermanent = (err: unknown) => (err as { permanent?: unknown } | null)?.permanent === true;

/** Publishes committed outbox rows; a failed publish stays in the outbox and is retried on the next pass. */
export function startOutboxRelay(options: OutboxRelayOptions): OutboxRelay {
  const { db, publish, logger } = options;
  const intervalMs = options.intervalMs ?? 1000;
  const batchSize = options.batchSize ?? 100;

  async function pass(): Promise<RelayPass> {
    const client = await db.pool.connect();
    let broken: Error | undefined;
    try {
      await client.query('BEGIN');
      const { rows } = await client.query<OutboxRow>(CLAIM, [batchSize]);
      // In parallel: the rows stay locked until COMMIT, so the pass should last one publish round trip.
      const outcomes = await Promise.allSettled(
        rows.map((row) => publish(row.subject, row.payload, { msgId: row.msg_id })),
      );
      const published: string[] = [];
      let failed = 0;
      for (const [i, outcome] of outcomes.entries()) {
        const row = rows[i]!;
        if (outcome.status === 'fulfilled') {
          published.push(row.id);
          continue;
        }
        failed++;
        const message = outcome.reason instanceof Error ? outcome.reason.message : String(outcome.reason);
        const log = { msgId: row.msg_id, subject: row.subject, err: outcome.reason };
        if (isPermanent(outcome.reason)) {
          await client.query(MARK_REJECTED, [row.id, message.slice(0, 1000)]);
          logger.error({ event: 'outbox_publish_rejected', ...log }, 'outbox message refused by the bus; backing off');
        } else {
          await client.query(MARK_FAILED, [row.id, message.slice(0, 1000)]);
          logger.warn({ event: 'outbox_publish_error', ...log }, 'outbox publish failed; retrying on the next pass');
        }
      }
      if (published.length > 0) await client.query(MARK_PUBLISHED, [published]);
      await client.query('COMMIT');
      if (published.length > 0) logger.debug({ event: 'outbox_published', count: published.length }, 'outbox relayed');
      return { published: published.length, failed };
    } catch (err) {
      await client.query('ROLLBACK').catch((rollbackErr: Error) => {
        broken = rollbackErr;
      });
      throw err;
    } finally {
      client.release(broken);
    }
  }

  // Passes never overlap within one process: flush() during a timer pass queues behind it.
  let queue: Promise<unknown> = Promise.resolve();
  const flush = (): Promise<RelayPass> => {
    const next = queue.then(pass, pass);
    queue = next.catch(() => undefined);
    return next;
  };

  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  const tick = async () => {
    let full = false;
    try {
      const result = await flush();
      full = result.published + result.failed >= batchSize && result.failed === 0;
    } catch (err) {
      logger.error({ event: 'outbox_relay_error', err }, 'outbox relay pass failed');
    }
    // A full batch means a backlog: go again at once instead of waiting a whole interval.
    if (!stopped) timer = setTimeout(tick, full ? 0 : intervalMs);
  };
  timer = setTimeout(tick, 0);

  return {
    flush,
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await queue;
    },
  };
}

/** What the relay still has to publish: rows due now and how long the oldest has waited (0 when none). */
export async function outboxBacklog(db: Db): Promise<{ due: number; oldestAgeSeconds: number }> {
  const { rows } = await db.pool.query<{ due: number; oldest: number | null }>(
    `SELECT count(*)::int AS due, extract(epoch FROM now() - min(created_at))::float8 AS oldest
     FROM outbox WHERE published_at IS NULL AND next_attempt_at <= now()`,
  );
  return { due: rows[0]?.due ?? 0, oldestAgeSeconds: Math.max(0, rows[0]?.oldest ?? 0) };
}
