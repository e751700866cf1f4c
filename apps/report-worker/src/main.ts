import { connectBus, dynamicPublisher } from '@pulse/bus';
import { loadConfigOrExit } from '@pulse/config';
import { createDb, startOutboxRelay } from '@pulse/db';
import { createLogger } from '@pulse/logger';
import { createMailer } from '@pulse/mail';
import { createMetricsRegistry, runService, startOpsServer, storageMetrics } from '@pulse/runtime';
import { createStorage } from '@pulse/storage';
import { reportWorkerConfigShape } from './config';
import { consumeReportRequests } from './consume-reports';
import { ensureReportRetention } from './lifecycle';
import { startReportScheduler } from './scheduling/scheduler';

const config = loadConfigOrExit(reportWorkerConfigShape);
const logger = createLogger({ name: 'report-worker', level: config.log.level, pretty: config.log.pretty });

runService({
  name: 'report-worker',
  logger,
  async start() {
    const metrics = createMetricsRegistry('report-worker');
    const db = createDb(config.db, { logger, applicationName: 'report-worker' });
    const bus = await connectBus({ config: config.nats, logger, name: 'report-worker' });
    const storage = createStorage({ config: config.s3, logger, metrics: storageMetrics(metrics) });
    const mailer = createMailer({ config: config.smtp, logger });
    const bucket = config.s3.buckets.reports;
    // Storage being down at startup must not keep reports from going out (they fall back to attachments).
    await ensureReportRetention(storage, bucket, config.app.retentionDays, logger).catch((err: unknown) =>
      logger.warn({ event: 'lifecycle_error', err }, 'could not apply the report retention rule; continuing'),
    );

    // The scheduler's requests are outbox rows; this relay publishes them (any service's relay would).
    const relay = startOutboxRelay({ db, publish: dynamicPublisher(bus), logger });
    const consumer = await consumeReportRequests(
      bus,
      { db, storage, mailer, logger, settings: config.app, bucket },
      { concurrency: config.app.concurrency, maxDeliver: config.nats.maxDeliver },
    );
    const scheduler = startReportScheduler({
      db,
      logger,
      cron: config.app.cron,
      timeZone: config.app.timeZone,
      catchUpMs: config.app.catchUpMs,
      onFired: () => void relay.flush().catch(() => undefined),
    });
    const ops = await startOpsServer({
      host: config.ops.host,
      port: config.ops.port,
      logger,
      registry: metrics,
      checks: {
        db: async () => (await db.pool.query('SELECT 1')).rowCount === 1,
        bus: async () => bus.isConnected(),
        smtp: () => mailer.verify(),
      },
    });

    return {
      async stop() {
        scheduler.stop();
        await consumer.stop();
        await relay.stop();
        await ops.close();
        await bus.close();
        mailer.close();
        storage.close();
        await db.close();
      },
    };
  },
});
