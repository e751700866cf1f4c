import { connectBus } from '@pulse/bus';
import { loadConfigOrExit } from '@pulse/config';
import { createDb } from '@pulse/db';
import { createLogger } from '@pulse/logger';
import { createMetricsRegistry, runService, startOpsServer, storageMetrics } from '@pulse/runtime';
import { createStorage } from '@pulse/storage';
import { exportWorkerConfigShape } from './config';
import { startExportConsumer } from './consumer';

const config = loadConfigOrExit(exportWorkerConfigShape);
const logger = createLogger({ name: 'export-worker', level: config.log.level, pretty: config.log.pretty });

runService({
  name: 'export-worker',
  logger,
  async start() {
    const metrics = createMetricsRegistry('export-worker');
    const db = createDb(config.db, { logger, applicationName: 'export-worker' });
    const bus = await connectBus({ config: config.nats, logger, name: 'export-worker' });
    const storage = createStorage({ config: config.s3, logger, metrics: storageMetrics(metrics) });
    const bucket = config.s3.buckets.exports;
    await storage.ensureBucket(bucket);

    const deps = { db, storage, bus, logger, bucket, settings: config.app };
    const consumer = await startExportConsumer(deps, {
      maxDeliver: config.nats.maxDeliver,
      concurrency: config.app.concurrency,
    });
    const ops = await startOpsServer({
      ...config.ops,
      logger,
      registry: metrics,
      checks: {
        postgres: async () => (await db.pool.query('SELECT 1')).rowCount === 1,
        nats: async () => bus.isConnected(),
        s3: async () => (await storage.health([bucket])).ok,
      },
    });

    return {
      async stop() {
        // Stopping the consumer aborts running exports: their uploads are aborted and the messages
        // go back to the stream for another replica (or this one after restart).
        await consumer.stop();
        await ops.close();
        await bus.close();
        storage.close();
        await db.close();
      },
    };
  },
});
