import { loadConfigOrExit } from '@pulse/config';
import { connectInfra } from '@pulse/infra';
import { createLogger } from '@pulse/logger';
import { runService } from '@pulse/runtime';
import { acquisitionWorkerConfigShape } from './config';
import { Cancellations } from './cancellations';
import { startAcquisitionConsumer } from './consumer';
import { acquisitionMetrics } from './metrics';
import { kiwisdrSource } from './sources/kiwisdr-source';
import { rtlTcpSource } from './sources/rtl-tcp-source';
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

    const cancellations = new Cancellations();
    // Every replica hears it; only the one running the task has something to close.
    const cancelled = bus.subscribe('acquisition.cancelled', ({ taskId }) => {
      if (cancellations.cancel(taskId)) logger.info({ event: 'acquisition_cancel_heard', taskId }, 'closing receivers');
    });
    const deps = {
      cancellations,
      db,
      storage,
      bus,
      logger,
      bucket,
      source: syntheticSource(),
      sources: { kiwisdr: kiwisdrSource(config.app.receiverLimits), rtl_tcp: rtlTcpSource(config.app.receiverLimits) },
      // Registry entries name a password by reference: the worker's own environment (or the secret store
      // that fills it, e.g. a Kubernetes Secret) holds the value; the database never does.
      secret: (ref: string) => (ref.startsWith('env:') ? process.env[ref.slice(4)] : undefined),
      settings: config.app,
      manageBuckets: config.s3.manageBuckets,
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
        cancelled.unsubscribe();
        await consumer.stop();
        await ops.close();
        await infra.close();
      },
    };
  },
});
