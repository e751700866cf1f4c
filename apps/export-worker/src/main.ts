import { runWorker } from '@pulse/infra';
import { jobMetrics } from '@pulse/runtime';
import { exportWorkerConfigShape } from './config';
import { startExportConsumer } from './consumer';

runWorker({
  name: 'export-worker',
  config: exportWorkerConfigShape,
  async start({ config, logger, infra }) {
    const { db, storage, bus } = infra;
    const bucket = config.s3.buckets.exports;
    // With S3_MANAGE_BUCKETS=false, `pnpm storage:setup` made it (this worker needs object rights only).
    if (config.s3.manageBuckets) await storage.ensureBucket(bucket);

    const consumer = await startExportConsumer(
      {
        db,
        storage,
        bus,
        logger,
        bucket,
        settings: config.app,
        jobs: jobMetrics(infra.metrics, 'export', [0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300]),
      },
      { maxDeliver: config.nats.maxDeliver, concurrency: config.app.concurrency },
    );
    return {
      checks: infra.checks([bucket]),
      // Stopping the consumer aborts running exports: their uploads are aborted and the messages go
      // back to the stream for another replica (or this one after restart).
      stop: () => consumer.stop(),
    };
  },
});
