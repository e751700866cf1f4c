import { connectBus } from '@pulse/bus';
import { loadConfigOrExit } from '@pulse/config';
import { createDb } from '@pulse/db';
import { createLogger } from '@pulse/logger';
import { createMetricsRegistry, runService, startOpsServer, storageMetrics } from '@pulse/runtime';
import { createStorage } from '@pulse/storage';
import { acquisitionWorkerConfigShape } from './config';
import { startAcquisitionConsumer } from './consumer';
import { acquisitionMetrics } from './metrics';
import { syntheticSource } from './sources/synthetic-source';

const config = loadConfigOrExit(acquisitionWorkerConfigShape);
const logger = createLogger({ name: 'acquisition-worker', level: config.log.level, pretty: config.log.pretty });

runService({
  name: 'acquisition-worker',
  logger,
  async start() {
    const metrics = createMetricsRegistry('acquisition-worker');
    const db = createDb(config.db, { logger, applicationName: 'acquisition-worker' });
    const bus = await connectBus({ config: config.nats, logger, name: 'acquisition-worker' });
    const storage = createStorage({ config: config.s3, logger, metrics: storageMetrics(metrics) });
    const bucket = config.s3.buckets.rawIq;

    const deps = {
      db,
      storage,
      bus,
      logger,
      bucket,
      source: syntheticSource(),
      settings: config.app,
      metrics: acquisitionMetrics(metrics),
    };
    const consumer = await startAcquisitionConsumer(bus, deps, {
      concurrency: config.app.taskConcurrency,
      maxDeliver: config.nats.maxDeliver,
    });
    const ops = await startOpsServer({
      ...config.ops,
      logger,
      registry: metrics,
      checks: {
        postgres: async () => (await db.pool.query('SELECT 1')).rowCount === 1,
        nats: async () => bus.isConnected(),
        // Reachability only: the raw IQ bucket may not exist before the first task creates it.
        s3: async () => (await storage.health()).ok,
      },
    });

    return {
      async stop() {
        // Stopping the consumer aborts running captures; their tasks stay `running` and resume on redelivery.
        await consumer.stop();
        await ops.close();
        await bus.close();
        storage.close();
        await db.close();
      },
    };
  },
});
