import { runWorker } from '@pulse/infra';
import { Cancellations } from './cancellations';
import { acquisitionWorkerConfigShape } from './config';
import { startAcquisitionConsumer } from './consumer';
import { acquisitionMetrics } from './metrics';
import { kiwisdrSource } from './sources/kiwisdr-source';
import { rtlTcpSource } from './sources/rtl-tcp-source';
import { syntheticSource } from './sources/synthetic-source';

runWorker({
  name: 'acquisition-worker',
  config: acquisitionWorkerConfigShape,
  async start({ config, logger, infra }) {
    const { db, storage, bus } = infra;
    const cancellations = new Cancellations(config.app.cancelCheckMs);
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
      bucket: config.s3.buckets.rawIq,
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
    return {
      // Reachability only (the default checks): the raw IQ bucket may not exist before the first task creates it.
      async stop() {
        // Stopping the consumer aborts running captures; their tasks stay `running` and resume on redelivery.
        cancelled.unsubscribe();
        await consumer.stop();
      },
    };
  },
});
