import { loadConfigOrExit } from '@pulse/config';
import { connectInfra } from '@pulse/infra';
import { createLogger } from '@pulse/logger';
import { runService } from '@pulse/runtime';
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
    const infra = await connectInfra({ service: 'acquisition-worker', logger, config });
    const { db, storage, bus } = infra;
    const bucket = config.s3.buckets.rawIq;

    const deps = {
      db,
      storage,
      bus,
      logger,
      bucket,
      source: syntheticSource(),
      settings: config.app,
      metrics: acquisitionMetrics(infra.metrics),
    };
    const consumer = await startAcquisitionConsumer(bus, deps, {
      concurrency: config.app.taskConcurrency,
      maxDeliver: config.nats.maxDeliver,
    });
    // Reachability only: the raw IQ bucket may not exist before the first task creates it.
    const ops = await infra.startOps({ ops: config.ops, checks: infra.checks() });

    return {
      async stop() {
        // Stopping the consumer aborts running captures; their tasks stay `running` and resume on redelivery.
        await consumer.stop();
        await ops.close();
        await infra.close();
      },
    };
  },
});
