import { runWorker } from '@pulse/infra';
import { createAlerter } from '@pulse/storage';
import { cleanupConfigShape } from './config';
import { startCleanupConsumer } from './consumer';
import type { CleanupDeps } from './deps';
import { createCleanupMetrics } from './metrics';
import { runCleanup } from './run-cleanup';
import { startScheduler } from './scheduler';

const SERVICE = 'cleanup-worker';

runWorker({
  name: SERVICE,
  config: cleanupConfigShape,
  async start({ config, logger, infra }) {
    const { db, storage, bus } = infra;
    const metrics = createCleanupMetrics(infra.metrics);
    // Lifecycle rules and listings need the buckets; creating them is idempotent across replicas.
    // With S3_MANAGE_BUCKETS=false, storage:setup has made them and this worker may not.
    if (config.s3.manageBuckets) {
      for (const bucket of new Set(Object.values(config.s3.buckets))) await storage.ensureBucket(bucket);
    }
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
      },
    };
  },
});
