import { loadConfig, type NatsConfig, natsConfig } from '@pulse/config';
import { createLogger } from '@pulse/logger';
import { LogCapture, NATS_URL, uniqueName } from '@pulse/testing';
import { connect, type JetStreamManager, type NatsConnection } from 'nats';
import { type Bus, connectBus } from '../src';

export interface TestBus {
  bus: Bus;
  config: NatsConfig;
  logs: LogCapture;
  /** A plain connection for looking at the stream from outside the bus. */
  nc: NatsConnection;
  jsm: JetStreamManager;
  /** Another bus on the same stream (another replica). */
  connectReplica(): Promise<Bus>;
  dispose(): Promise<void>;
}

/** A bus on a stream and subject prefix of its own, deleted by dispose(). */
export async function openTestBus(): Promise<TestBus> {
  const name = uniqueName('t_bus');
  const { nats: config } = loadConfig(
    { nats: natsConfig },
    { NATS_URL, NATS_STREAM: name, NATS_SUBJECT_PREFIX: name, NATS_ACK_WAIT_MS: '1000', NATS_MAX_DELIVER: '3' },
  );
  const logs = new LogCapture();
  const logger = createLogger({ name: 'bus-test', level: 'debug', destination: logs });
  const bus = await connectBus({ config, logger, name: 'bus-test' });
  const replicas: Bus[] = [];
  const nc = await connect({ servers: NATS_URL });
  return {
    bus,
    config,
    logs,
    nc,
    jsm: await nc.jetstreamManager(),
    async connectReplica() {
      const replica = await connectBus({ config, logger, name: 'bus-test-replica' });
      replicas.push(replica);
      return replica;
    },
    async dispose() {
      await Promise.all([bus, ...replicas].map((b) => b.close()));
      await (await nc.jetstreamManager()).streams.delete(config.stream);
      await nc.close();
    },
  };
}

/** Resolves when `check()` is true; the jest timeout bounds the wait. */
export async function until(check: () => boolean, stepMs = 20): Promise<void> {
  while (!check()) await new Promise((r) => setTimeout(r, stepMs));
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A promise with its resolver, to hold a handler until the test lets it go. */
export function gate(): { promise: Promise<void>; open(): void } {
  let open!: () => void;
  const promise = new Promise<void>((r) => {
    open = r;
  });
  return { promise, open };
}
