import type { DeadLetterQueue } from './dead-letters';
import type { Payload, Subject } from '@pulse/messages';

export interface PublishOptions {
  /** JetStream dedup id (Nats-Msg-Id): the same id within the dedup window is stored once. */
  msgId?: string;
}

export interface MessageContext {
  /** 1 on first delivery. */
  deliveryCount: number;
  /** Extends the ack deadline; call it during long work. */
  working(): void;
  /** Aborted when the consumer stops (SIGTERM): long handlers should stop and let the message redeliver. */
  signal: AbortSignal;
  subject: string;
  msgId?: string;
}

/** Thrown (or returned via `permanent()`) for errors that retrying cannot fix: term + dead letter. */
export class PermanentError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'PermanentError';
  }
}

export interface DeadLetter<S extends Subject = Subject> {
  subject: S;
  payload: unknown;
  reason: string;
  deliveryCount: number;
}

/** The one dead-letter hook: per subject, typed by it (see `ConsumeOptions.onDeadLetter`). */
export type DeadLetterHandler<S extends Subject> = (
  dead: DeadLetter<S>,
  payload: Payload<S> | undefined,
) => Promise<void>;

export interface ConsumeOptions<S extends Subject> {
  /** Durable consumer name; replicas sharing it share the work. */
  durable: string;
  maxDeliver?: number;
  ackWaitMs?: number;
  concurrency?: number;
  /** Nak delay per attempt (ms); defaults to exponential backoff. */
  backoffMs?: (deliveryCount: number) => number;
  /** Called once when a message is given up on (after max deliveries, a PermanentError, or a malformed
   *  payload), before it is published on the dead-letter subject and terminated; use it to mark the job
   *  failed with the reason. `payload` is the validated message, `undefined` when it was malformed (then
   *  there is no job to name: `dead.payload` holds what arrived). An error it throws is logged; the
   *  message is dead-lettered anyway. */
  onDeadLetter?: DeadLetterHandler<S>;
  /** How often the consumer calls working() by itself while a handler runs; default ackWaitMs / 2.
   *  0 turns it off, so a handler that stalls without calling ctx.working() is redelivered after ackWait. */
  autoWorkingMs?: number;
}

export interface Consumer {
  stop(): Promise<void>;
}

/** Hook for the process's metrics (the bus stays free of a metrics library). */
export interface BusMetrics {
  deadLettered(subject: string): void;
}

export interface Bus {
  publish<S extends Subject>(
    subject: S,
    payload: Payload<S>,
    options?: PublishOptions,
  ): Promise<{ duplicate: boolean; seq: number }>;
  consume<S extends Subject>(
    subject: S,
    handler: (payload: Payload<S>, ctx: MessageContext) => Promise<void>,
    options: ConsumeOptions<S>,
  ): Promise<Consumer>;
  /** Core NATS (not persisted) fan-out for UI progress: subscribe to e.g. `export.progress`. */
  subscribe<S extends Subject>(subject: S, handler: (payload: Payload<S>) => void): { unsubscribe(): void };
  /** Fire-and-forget core publish (validated, no ack, no dedup) for progress events that `subscribe` fans out. */
  emit<S extends Subject>(subject: S, payload: Payload<S>): void;
  /** Connection check for readiness probes. */
  isConnected(): boolean;
  /** Messages given up on, waiting in the stream: count, list, read and remove them (`pnpm pulse dlq`). */
  deadLetters: DeadLetterQueue;
  /** Drains consumers and the connection (graceful shutdown). */
  close(): Promise<void>;
}
