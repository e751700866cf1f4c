import { connectBus } from '@pulse/bus';
import { loadConfigOrExit } from '@pulse/config';
import { createDb } from '@pulse/db';
import { createLogger } from '@pulse/logger';
import { createMetricsRegistry, runService, startOpsServer, storageMetrics } from '@pulse/runtime';
import { createAlerter, createStorage } from '@pulse/storage';
import { startCleanupConsumer } from './cleanup-requested';
import { cleanupConfigShape } from './config';
import type { CleanupDeps } from './deps';
import { createCleanupMetrics } from './metrics';
import { runCleanup } from './run-cleanup';
import { startScheduler } from './scheduler';

const SERVICE = 'cleanup-worker';
const config = loadConfigOrExit(cleanupConfigShape);
const logger = createLogger({ name: SERVICE, level: config.log.level, pretty: config.log.pretty });

runService({
  name: SERVICE,
  logger,
  async start() {
    const registry = createMetricsRegistry(SERVICE);
    const metrics = createCleanupMetrics(registry);
    const db = createDb(config.db, { logger, applicationName: SERVICE });
    const storage = createStorage({ config: config.s3, logger, metrics: storageMetrics(registry) });
    const bus = await connectBus({ config: config.nats, logger, name: SERVICE });
    // Lifecycle rules and listings need the buckets; creating them is idempotent across replicas.
    for (const bucket of new Set(Object.values(config.s3.buckets))) await storage.ensureBucket(bucket);
    const alerter = createAlerter({ webhookUrl: config.s3.alertWebhookUrl, service: SERVICE, logger });
    // Aborted on SIGTERM: a long run stops at the next page and records what it did.
    const shutdown = new AbortController();
    const deps: CleanupDeps = {
      db,
      storage,
      logger,
      config,
      now: () => new Date(),
      dryRun: false,
      alerter,
      signal: shutdown.signal,
    };

    const ops = await startOpsServer({
      host: config.ops.host,
      port: config.ops.port,
      logger,
      registry,
      checks: {
        db: async () => (await db.pool.query('SELECT 1')).rowCount === 1,
        nats: async () => bus.isConnected(),
        s3: async () => (await storage.health()).ok,
      },
    });
    const consumer = await startCleanupConsumer({ bus, deps, metrics });
    const scheduler = startScheduler({
      intervalMs: config.app.intervalMs,
      logger,
      run: (reason) => runCleanup(deps, { reason, metrics }),
    });

    return {
      async stop() {
        shutdown.abort();
        await consumer.stop();
        await scheduler.stop();
        await bus.close();
        await ops.close();
        storage.close();
        await db.close();
      },
    };
  },
});
