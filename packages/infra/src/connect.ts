import { type Bus, connectBus } from '@pulse/bus';
import type { DbConfig, NatsConfig, OpsHttpConfig, S3Config } from '@pulse/config';
import { createDb, type Db } from '@pulse/db';
import type { Logger } from '@pulse/logger';
import {
  busMetrics,
  createMetricsRegistry,
  type OpsRoute,
  type ReadinessCheck,
  type ReadinessProbe,
  type Registry,
  startOpsServer,
  storageMetrics,
} from '@pulse/runtime';
import { createStorage, type HealthResult, type Storage } from '@pulse/storage';
import { registerBacklogMetrics } from './backlog-metrics';

/**
 * The connections every Pulse process holds, wired the same way everywhere: one metrics registry,
 * Postgres, NATS JetStream and S3 (with its timings in the registry). main.ts files call this instead
 * of repeating the wiring, and stop it last.
 */
export interface Infra {
  metrics: Registry;
  db: Db;
  bus: Bus;
  storage: Storage;
  /** The readiness checks all services share: Postgres, NATS, and S3 (these buckets, or reachability). */
  checks(buckets?: string[]): Record<string, ReadinessCheck>;
  /** Starts /health, /health/ready (with each check's detail), /metrics and `routes` on the ops port. */
  startOps(options: {
    ops: OpsHttpConfig;
    readiness: ReadinessProbe;
    routes?: Record<string, OpsRoute>;
  }): Promise<{ port: number; close(): Promise<void> }>;
  close(): Promise<void>;
}

/**
 * The readiness checks every Pulse process shares: Postgres answers, NATS is connected, S3 answers
 * (HeadBucket on `buckets`, or reachability without them; its detail — endpoint, buckets, latency —
 * goes to the ops listener only). ui-api serves a summary of them on its public /health/ready too.
 */
export function readinessChecks(
  parts: { db: Pick<Db, 'pool'>; bus: Pick<Bus, 'isConnected'>; storage: Pick<Storage, 'health'> },
  buckets?: string[],
): { postgres: ReadinessCheck; nats: ReadinessCheck; s3: ReadinessCheck<Omit<HealthResult, 'ok'>> } {
  return {
    postgres: async () => (await parts.db.pool.query('SELECT 1')).rowCount === 1,
    nats: async () => parts.bus.isConnected(),
    s3: async () => {
      const { ok, ...detail } = await parts.storage.health(buckets);
      return { ok, detail };
    },
  };
}

export interface InfraOptions {
  service: string;
  logger: Logger;
  config: { db: DbConfig; nats: NatsConfig; s3: S3Config };
}

export async function connectInfra({ service, logger, config }: InfraOptions): Promise<Infra> {
  const metrics = createMetricsRegistry(service);
  const db = createDb(config.db, { logger, applicationName: service });
  const storage = createStorage({ config: config.s3, logger, metrics: storageMetrics(metrics) });
  let bus: Bus;
  try {
    bus = await connectBus({ config: config.nats, logger, name: service, metrics: busMetrics(metrics) });
  } catch (err) {
    storage.close();
    await db.close();
    throw err;
  }
  registerBacklogMetrics(metrics, { db, bus, logger });
  return {
    metrics,
    db,
    bus,
    storage,
    checks: (buckets) => readinessChecks({ db, bus, storage }, buckets),
    startOps: ({ ops, readiness, routes }) => startOpsServer({ ...ops, logger, registry: metrics, readiness, routes }),
    async close() {
      await bus.close();
      storage.close();
      await db.close();
    },
  };
}
