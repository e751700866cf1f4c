import type { Bus, StoredDeadLetter } from '@pulse/bus';
import { type Db, enqueueOutbox, isUniqueViolation } from '@pulse/db';
import { type Payload, type Subject, validatePayload } from '@pulse/messages';
import { DeadLetterError } from './errors';
import { reviverFor } from './revive';

export interface DeadLetterDeps {
  db: Db;
  bus: Pick<Bus, 'deadLetters'>;
  /** The JetStream stream the dead letters are in (their sequence numbers are per stream). */
  stream: string;
}

export interface ActionOptions {
  /** Who does it: `admin:<user id>` (admin page) or `cli:<os user>` (`pnpm pulse dlq`). */
  actor: string;
  /** Check and describe, change nothing. */
  dryRun?: boolean;
}

export interface ReplayPlan {
  seq: number;
  subject: Subject;
  payload: unknown;
  /** The dedup id of the new message: one per dead letter, so a replay is published once. */
  msgId: string;
  dryRun: boolean;
}

export const replayMsgId = (stream: string, seq: number) => `replay:${stream}:${seq}`;

async function load(deps: DeadLetterDeps, seq: number): Promise<StoredDeadLetter> {
  const dead = await deps.bus.deadLetters.get(seq);
  if (!dead) throw new DeadLetterError('not_found', `no dead letter ${seq}`);
  return dead;
}

/** One action per dead letter: a second replay (or a replay after a discard) is refused, on record. */
async function record(
  tx: Parameters<Parameters<Db['prisma']['$transaction']>[0]>[0],
  deps: DeadLetterDeps,
  dead: StoredDeadLetter,
  action: 'replay' | 'discard',
  actor: string,
  msgId: string | null,
): Promise<void> {
  try {
    await tx.deadLetterAction.create({
      data: {
        action,
        stream: deps.stream,
        streamSeq: BigInt(dead.seq),
        subject: dead.subject,
        payload: (dead.payload ?? null) as never,
        reason: dead.reason,
        actor,
        msgId,
      },
    });
  } catch (err) {
    if (isUniqueViolation(err))
      throw new DeadLetterError('already_handled', `dead letter ${dead.seq} was already handled`);
    throw err;
  }
}

/**
 * Replays a dead letter: in one transaction, records who replayed it, revives its job (an export goes back
 * to `queued`) and writes the message to the outbox with a new dedup id; then removes the dead letter.
 * The relay publishes it (ui-api's, or `relay.flush()` from the CLI); the worker runs it once.
 */
export async function replayDeadLetter(deps: DeadLetterDeps, seq: number, options: ActionOptions): Promise<ReplayPlan> {
  const dead = await load(deps, seq);
  const revive = reviverFor(dead.subject);
  if (!revive)
    throw new DeadLetterError('not_replayable', `${dead.subject} messages are not replayed: discard it instead`);
  let payload: Payload<Subject>;
  try {
    payload = validatePayload(dead.subject, dead.payload);
  } catch (err) {
    throw new DeadLetterError(
      'invalid_payload',
      `the payload is not a valid ${dead.subject}: ${(err as Error).message}`,
    );
  }
  const plan: ReplayPlan = {
    seq,
    subject: dead.subject,
    payload,
    msgId: replayMsgId(deps.stream, seq),
    dryRun: Boolean(options.dryRun),
  };
  if (options.dryRun) return plan;
  try {
    await deps.db.prisma.$transaction(async (tx) => {
      await record(tx, deps, dead, 'replay', options.actor, plan.msgId);
      await (revive as (t: typeof tx, p: Payload<Subject>) => Promise<void>)(tx, payload);
      await enqueueOutbox(tx, { subject: dead.subject, payload, msgId: plan.msgId });
    });
  } catch (err) {
    // Recorded earlier but not removed (a crash in between): finish that removal, still refuse.
    if (err instanceof DeadLetterError && err.code === 'already_handled') await deps.bus.deadLetters.remove(seq);
    throw err;
  }
  await deps.bus.deadLetters.remove(seq);
  return plan;
}

/** Drops a dead letter for good, recording who did it (and what it was). */
export async function discardDeadLetter(
  deps: DeadLetterDeps,
  seq: number,
  options: ActionOptions,
): Promise<{ seq: number; subject: Subject; dryRun: boolean }> {
  const dead = await load(deps, seq);
  const result = { seq, subject: dead.subject, dryRun: Boolean(options.dryRun) };
  if (options.dryRun) return result;
  await deps.db.prisma.$transaction((tx) => record(tx, deps, dead, 'discard', options.actor, null));
  await deps.bus.deadLetters.remove(seq);
  return result;
}

/** The latest operator actions, newest first (for the admin page and `dlq history`). */
export function recentActions(db: Db, limit = 50) {
  return db.prisma.deadLetterAction.findMany({
    orderBy: { createdAt: 'desc' },
    take: limit,
    select: {
      action: true,
      stream: true,
      streamSeq: true,
      subject: true,
      reason: true,
      actor: true,
      msgId: true,
      createdAt: true,
    },
  });
}
