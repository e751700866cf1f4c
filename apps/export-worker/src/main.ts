import { loadConfigOrExit } from '@pulse/config';
import { connectInfra } from '@pulse/infra';
import { createLogger } from '@pulse/logger';
import { runService } from '@pulse/runtime';
import { exportWorkerConfigShape } from './config';
import { startExportConsumer } from './consumer';

const config = loadConfigOrExit(exportWorkerConfigShape);
const logger = createLogger({ name: 'export-worker', level: config.log.level, pretty: config.log.pretty });

runService({
  name: 'export-worker',
  logger,
  async start() {
    const infra = await connectInfra({ service: 'export-worker', logger, config });
    const { db, storage, bus } = infra;
    const bucket = config.s3.buckets.exports;
    // With S3_MANAGE_BUCKETS=false, `pnpm storage:setup` made it (this worker needs object rights only).
    if (config.s3.manageBuckets) await storage.ensureBucket(bucket);

    const deps = { db, storage, bus, logger, bucket, settings: config.app };
    const consumer = await startExportConsumer(deps, {
      maxDeliver: config.nats.maxDeliver,
      concurrency: config.app.concurrency,
    });
    const ops = await infra.startOps({ ops: config.ops, checks: infra.checks([bucket]) });

    return {
      async stop() {
        // Stopping the consumer aborts running exports: their uploads are aborted and the messages
        // go back to the stream for another replica (or this one after restart).
        await consumer.stop();
        await ops.close();
        await infra.close();
      },
    };
  },
});
