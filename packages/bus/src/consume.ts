import type { Logger } from '@pulse/logger';
import type { ConsumerMessages, JetStreamClient, JetStreamManager, JsMsg } from 'nats';
import { defaultBackoff } from './backoff';
import { decodeJson, encodeJson } from './codec';
import type { SubjectNames } from './naming';
import { ensureConsumer } from './stream';
import { type Payload, type Subject, validatePayload } from '@pulse/messages';
import {
  type BusMetrics,
  type ConsumeOptions,
  type Consumer,
  type DeadLetter,
  type MessageContext,
  PermanentError,
} from './types';

export interface ConsumerDeps {
  js: JetStreamClient;
  jsm: JetStreamManager;
  stream: string;
  names: SubjectNames;
  logger: Logger;
  defaults: { maxDeliver: number; ackWaitMs: number };
  metrics?: BusMetrics;
}

export type Handler<S extends Subject> = (payload: Payload<S>, ctx: MessageContext) => Promise<void>;

// How long one pull request waits for messages before the loop issues the next (the client's minimum is 1 s).
const PULL_EXPIRES_MS = 10_000;
const PULL_ERROR_PAUSE_MS = 1000;

const errorMessage = (err: unknown) => (err instanceof Error ? err.message : String(err));

/**
 * A pull loop that never holds more than `concurrency` messages: each fetch asks only for free slots, so no
 * message waits in a client buffer while its ack deadline runs.
 */
export async function startConsumer<S extends Subject>(
  deps: ConsumerDeps,
  subject: S,
  handler: Handler<S>,
  options: ConsumeOptions<S>,
): Promise<Consumer> {
  const { js, jsm, stream, names, logger } = deps;
  const { durable, onDeadLetter } = options;
  const maxDeliver = options.maxDeliver ?? deps.defaults.maxDeliver;
  const ackWaitMs = options.ackWaitMs ?? deps.defaults.ackWaitMs;
  const concurrency = Math.max(1, options.concurrency ?? 1);
  const backoff = options.backoffMs ?? defaultBackoff;
  const autoWorkingMs = options.autoWorkingMs ?? Math.floor(ackWaitMs / 2);
  const base = { subject, durable };

  // The server allows one delivery more than we do: if a process dies during the last attempt, that spare
  // delivery still reaches us and is dead-lettered, instead of the server silently giving up on it.
  await ensureConsumer(jsm, {
    stream,
    durable,
    filterSubject: names.full(subject),
    maxDeliver: maxDeliver + 1,
    ackWaitMs,
  });
  const consumer = await js.consumers.get(stream, durable);

  const stopping = new AbortController();
  const inFlight = new Set<Promise<void>>();
  let batch: ConsumerMessages | undefined;

  async function giveUp(msg: JsMsg, payload: unknown, reason: string, valid?: Payload<S>): Promise<void> {
    const dead: DeadLetter<S> = { subject, payload, reason, deliveryCount: msg.info.deliveryCount };
    logger.error({ event: 'bus_dead_letter', ...base, deliveryCount: dead.deliveryCount, reason }, 'message given up');
    try {
      await onDeadLetter?.(dead, valid);
    } catch (err) {
      // Still dead-lettered: the dead subject keeps everything needed to act on it later.
      logger.error({ event: 'bus_dead_letter_callback_error', ...base, err }, 'onDeadLetter failed');
    }
    try {
      await js.publish(names.dead(subject), encodeJson(dead), { msgID: `dead:${durable}:${msg.seq}` });
    } catch (err) {
      logger.error({ event: 'bus_dead_letter_publish_error', ...base, err }, 'dead-letter publish failed; will retry');
      msg.nak(backoff(dead.deliveryCount));
      return;
    }
    deps.metrics?.deadLettered(subject);
    msg.term();
  }

  async function handle(msg: JsMsg): Promise<void> {
    const { deliveryCount } = msg.info;
    let payload: unknown = msg.string();
    let data: Payload<S>;
    try {
      payload = decodeJson(subject, msg.data);
      data = validatePayload(subject, payload);
    } catch (err) {
      // Retrying cannot fix a malformed message.
      return giveUp(msg, payload, errorMessage(err));
    }
    if (deliveryCount > maxDeliver) {
      return giveUp(msg, payload, `not acknowledged after ${maxDeliver} deliveries`, data);
    }

    const ctx: MessageContext = {
      deliveryCount,
      working: () => msg.working(),
      signal: stopping.signal,
      subject,
      msgId: msg.headers?.get('Nats-Msg-Id') || undefined,
    };
    const heartbeat = autoWorkingMs > 0 ? setInterval(() => msg.working(), autoWorkingMs) : undefined;
    try {
      await handler(data, ctx);
    } catch (err) {
      if (stopping.signal.aborted) {
        // Interrupted by shutdown, not failed: hand it to another replica now, without using up an attempt's delay.
        logger.info({ event: 'bus_handler_interrupted', ...base, deliveryCount }, 'handler stopped by shutdown');
        msg.nak();
        return;
      }
      if (err instanceof PermanentError) return giveUp(msg, payload, err.message, data);
      if (deliveryCount >= maxDeliver) {
        return giveUp(msg, payload, `failed ${deliveryCount} times, last: ${errorMessage(err)}`, data);
      }
      const delayMs = backoff(deliveryCount);
      logger.warn({ event: 'bus_handler_error', ...base, deliveryCount, delayMs, err }, 'handler failed; will retry');
      msg.nak(delayMs);
      return;
    } finally {
      clearInterval(heartbeat);
    }
    // ackAck waits for the server: a lost ack means a redelivery, which idempotent handlers absorb.
    await msg.ackAck().catch((err: unknown) => {
      logger.warn({ event: 'bus_ack_error', ...base, err }, 'ack not confirmed; message may be redelivered');
    });
  }

  function start(msg: JsMsg): void {
    const task = handle(msg)
      .catch((err: unknown) => logger.error({ event: 'bus_consumer_error', ...base, err }, 'message handling failed'))
      .finally(() => inFlight.delete(task));
    inFlight.add(task);
  }

  async function pullLoop(): Promise<void> {
    while (!stopping.signal.aborted) {
      if (inFlight.size >= concurrency) {
        await Promise.race(inFlight);
        continue;
      }
      try {
        batch = await consumer.fetch({ max_messages: concurrency - inFlight.size, expires: PULL_EXPIRES_MS });
        if (stopping.signal.aborted) batch.stop();
        for await (const msg of batch) {
          // Fetched after stop(): release at once rather than after ackWait.
          if (stopping.signal.aborted) msg.nak();
          else start(msg);
        }
      } catch (err) {
        if (stopping.signal.aborted) break;
        logger.warn({ event: 'bus_pull_error', ...base, err }, 'pull failed; retrying');
        await new Promise((resolve) => setTimeout(resolve, PULL_ERROR_PAUSE_MS));
      } finally {
        batch = undefined;
      }
    }
  }

  const loop = pullLoop();
  logger.info({ event: 'bus_consumer_started', ...base, concurrency, maxDeliver, ackWaitMs }, 'consumer started');

  let stopped: Promise<void> | undefined;
  return {
    stop() {
      stopped ??= (async () => {
        stopping.abort();
        batch?.stop();
        await loop;
        await Promise.allSettled(inFlight);
        logger.info({ event: 'bus_consumer_stopped', ...base }, 'consumer stopped');
      })();
      return stopped;
    },
  };
}
