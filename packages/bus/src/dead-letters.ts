import { isSubject, type Subject } from '@pulse/messages';
import type { JetStreamClient, JetStreamManager } from 'nats';
import { decodeJson } from './codec';
import type { SubjectNames } from './naming';
import type { DeadLetter } from './types';

/** A dead letter as it waits in the stream: its stream sequence is its id for show/replay/discard. */
export interface StoredDeadLetter extends DeadLetter {
  seq: number;
  deadAt: Date;
}

export interface DeadLetterQueue {
  /** Dead letters waiting, by subject (`export.requested` → 2). */
  depth(): Promise<Record<string, number>>;
  /** Oldest first; `subject` narrows to one subject's dead letters. */
  list(options?: { subject?: Subject; limit?: number }): Promise<StoredDeadLetter[]>;
  /** null when `seq` is not a dead letter (any more). */
  get(seq: number): Promise<StoredDeadLetter | null>;
  /** Removes it from the stream; false when it was already gone. */
  remove(seq: number): Promise<boolean>;
}

// How long a listing waits for the server to deliver what `depth` said is there.
const LIST_EXPIRES_MS = 2000;

/**
 * Dead letters are messages on `<prefix>.dead.<subject>` inside the stream itself (kept for max_age), so
 * listing them is reading the stream with an ephemeral ordered consumer, and discarding is deleting by
 * sequence.
 */
export function deadLetterQueue(deps: {
  js: JetStreamClient;
  jsm: JetStreamManager;
  stream: string;
  names: SubjectNames;
}): DeadLetterQueue {
  const { js, jsm, stream, names } = deps;
  const deadPrefix = `${names.prefix}.dead.`;

  const parse = (seq: number, wireSubject: string, data: Uint8Array, time: Date): StoredDeadLetter | null => {
    if (!wireSubject.startsWith(deadPrefix)) return null;
    const subject = wireSubject.slice(deadPrefix.length);
    if (!isSubject(subject)) return null;
    const dead = decodeJson(subject, data) as DeadLetter;
    return { ...dead, subject, seq, deadAt: time };
  };

  async function depth(): Promise<Record<string, number>> {
    const info = await jsm.streams.info(stream, { subjects_filter: `${deadPrefix}>` });
    const out: Record<string, number> = {};
    for (const [wire, count] of Object.entries(info.state.subjects ?? {})) out[wire.slice(deadPrefix.length)] = count;
    return out;
  }

  return {
    depth,
    async list(options = {}) {
      const counts = await depth();
      const waiting = options.subject
        ? (counts[options.subject] ?? 0)
        : Object.values(counts).reduce((a, b) => a + b, 0);
      const max = Math.min(waiting, options.limit ?? 1000);
      if (max === 0) return [];
      const filter = options.subject ? `${deadPrefix}${options.subject}` : `${deadPrefix}>`;
      const reader = await js.consumers.get(stream, { filterSubjects: filter });
      const out: StoredDeadLetter[] = [];
      const batch = await reader.fetch({ max_messages: max, expires: LIST_EXPIRES_MS });
      for await (const msg of batch) {
        const dead = parse(msg.seq, msg.subject, msg.data, new Date(msg.info.timestampNanos / 1_000_000));
        if (dead) out.push(dead);
        if (out.length >= max || msg.info.pending === 0) break;
      }
      return out;
    },
    async get(seq) {
      try {
        const msg = await jsm.streams.getMessage(stream, { seq });
        return parse(msg.seq, msg.subject, msg.data, msg.time);
      } catch (err) {
        // 10037: no message with that sequence (deleted, or never there).
        if ((err as { api_error?: { err_code?: number } }).api_error?.err_code === 10037) return null;
        if (/not found/i.test(String((err as Error).message))) return null;
        throw err;
      }
    },
    async remove(seq) {
      try {
        return await jsm.streams.deleteMessage(stream, seq, false);
      } catch (err) {
        if (/not found/i.test(String((err as Error).message))) return false;
        throw err;
      }
    },
  };
}
