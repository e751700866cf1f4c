import type { NatsConfig } from '@pulse/config';
import type { Logger } from '@pulse/logger';
import { connect, DebugEvents, Events, type NatsConnection } from 'nats';
import { validatePayload } from '@pulse/messages';
import { decodeJson, encodePayload } from './codec';
import { startConsumer } from './consume';
import { deadLetterQueue } from './dead-letters';
import { subjectNames } from './naming';
import { ensureStream } from './stream';
import type { Bus, BusMetrics, Consumer } from './types';

export interface ConnectBusOptions {
  config: NatsConfig;
  logger: Logger;
  /** Connection name, shown in NATS monitoring (e.g. the service name). */
  name?: string;
  /** Told of every message moved to the dead-letter subject (e.g. a Prometheus counter). */
  metrics?: BusMetrics;
}

/** Dedup window for Nats-Msg-Id: a publish retried (or relayed twice by the outbox) within it is stored once. */
const DUPLICATE_WINDOW_MS = 2 * 60_000;
/** Messages are work orders, not history: Postgres is the record, so a week covers any outage worth waiting out. */
const MAX_AGE_MS = 7 * 24 * 3600_000;

function watchStatus(nc: NatsConnection, logger: Logger, onChange: (connected: boolean) => void): void {
  void (async () => {
    for await (const status of nc.status()) {
      switch (status.type) {
        case Events.Disconnect:
          onChange(false);
          logger.warn({ event: 'bus_disconnected', server: status.data }, 'NATS connection lost; reconnecting');
          break;
        case Events.Reconnect:
          onChange(true);
          logger.info({ event: 'bus_reconnected', server: status.data }, 'NATS connection restored');
          break;
        case Events.Error:
          logger.error({ event: 'bus_error', error: String(status.data) }, 'NATS error');
          break;
        case DebugEvents.Reconnecting:
          logger.debug({ event: 'bus_reconnecting' }, 'NATS reconnecting');
          break;
      }
    }
  })();
}

/** Connects (retrying reconnects forever), makes sure the stream exists, and returns the typed bus. */
export async function connectBus({ config, logger, name, metrics }: ConnectBusOptions): Promise<Bus> {
  const nc = await connect({
    servers: config.url.split(',').map((s) => s.trim()),
    name,
    maxReconnectAttempts: -1,
    reconnectTimeWait: 1000,
  });
  let connected = true;
  watchStatus(nc, logger, (up) => {
    connected = up;
  });
  const names = subjectNames(config.subjectPrefix);
  const jsm = await nc.jetstreamManager();
  await ensureStream(jsm, {
    name: config.stream,
    subjects: [`${names.prefix}.>`],
    duplicateWindowMs: DUPLICATE_WINDOW_MS,
    maxAgeMs: MAX_AGE_MS,
  });
  const js = nc.jetstream();
  logger.info({ event: 'bus_connected', server: nc.getServer(), stream: config.stream }, 'connected to NATS');

  const consumers = new Set<Consumer>();
  const deps = {
    js,
    jsm,
    stream: config.stream,
    names,
    logger,
    defaults: { maxDeliver: config.maxDeliver, ackWaitMs: config.ackWaitMs },
    metrics,
  };
  let closing: Promise<void> | undefined;

  return {
    async publish(subject, payload, options = {}) {
      const ack = await js.publish(
        names.full(subject),
        encodePayload(subject, payload),
        options.msgId ? { msgID: options.msgId } : undefined,
      );
      return { duplicate: ack.duplicate, seq: ack.seq };
    },

    emit(subject, payload) {
      nc.publish(names.full(subject), encodePayload(subject, payload));
    },

    async consume(subject, handler, options) {
      const consumer = await startConsumer(deps, subject, handler, options);
      consumers.add(consumer);
      return {
        async stop() {
          await consumer.stop();
          consumers.delete(consumer);
        },
      };
    },

    subscribe(subject, handler) {
      const sub = nc.subscribe(names.full(subject), {
        callback: (err, msg) => {
          if (err) {
            logger.warn({ event: 'bus_subscription_error', subject, err }, 'subscription error');
            return;
          }
          try {
            handler(validatePayload(subject, decodeJson(subject, msg.data)));
          } catch (handlerErr) {
            // A bad event or a failing UI listener must not take down the subscription.
            logger.warn({ event: 'bus_subscriber_error', subject, err: handlerErr }, 'event dropped');
          }
        },
      });
      return { unsubscribe: () => sub.unsubscribe() };
    },

    isConnected: () => connected && !nc.isClosed(),

    deadLetters: deadLetterQueue({ js, jsm, stream: config.stream, names }),

    close() {
      closing ??= (async () => {
        await Promise.all([...consumers].map((c) => c.stop()));
        await nc.drain();
        logger.info({ event: 'bus_closed' }, 'NATS connection drained');
      })();
      return closing;
    },
  };
}
