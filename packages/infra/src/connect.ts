import { type Bus, connectBus } from '@pulse/bus';
import type { DbConfig, NatsConfig, OpsHttpConfig, S3Config } from '@pulse/config';
import { createDb, type Db } from '@pulse/db';
import type { Logger } from '@pulse/logger';
import {
  createMetricsRegistry,
  type ReadinessCheck,
  type Registry,
  startOpsServer,
  storageMetrics,
} from '@pulse/runtime';
import { createStorage, type Storage } from '@pulse/storage';

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
  /** Starts /health, /health/ready and /metrics on the ops port (workers; ui-api serves its own). */
  startOps(options: {
    ops: OpsHttpConfig;
    checks: Record<string, ReadinessCheck>;
  }): Promise<{ close(): Promise<void> }>;
  close(): Promise<void>;
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
    bus = await connectBus({ config: config.nats, logger, name: service });
  } catch (err) {
    storage.close();
    await db.close();
    throw err;
  }
  return {
    metrics,
    db,
    bus,
    storage,
    checks: (buckets) => ({
      postgres: async () => (await db.pool.query('SELECT 1')).rowCount === 1,
      nats: async () => bus.isConnected(),
      s3: async () => (await storage.health(buckets)).ok,
    }),
    startOps: ({ ops, checks }) => startOpsServer({ ...ops, logger, registry: metrics, checks }),
    async close() {
      await bus.close();
      storage.close();
      await db.close();
    },
  };
}
