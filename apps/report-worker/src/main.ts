import { dynamicPublisher } from '@pulse/bus';
import { startOutboxRelay } from '@pulse/db';
import { runWorker } from '@pulse/infra';
import { createMailer } from '@pulse/mail';
import { jobMetrics, mailMetrics } from '@pulse/runtime';
import { reportWorkerConfigShape } from './config';
import { consumeReportRequests } from './consumer';
import { ensureReportRetention } from './lifecycle';
import { startReportScheduler } from './scheduling/scheduler';
import { schedulerMetrics } from './scheduling/scheduler-metrics';

runWorker({
  name: 'report-worker',
  config: reportWorkerConfigShape,
  async start({ config, logger, infra }) {
    const { db, storage, bus } = infra;
    const mailer = createMailer({ config: config.smtp, logger, metrics: mailMetrics(infra.metrics) });
    const bucket = config.s3.buckets.reports;
    // Storage being down at startup must not keep reports from going out (they fall back to attachments).
    // With S3_MANAGE_BUCKETS=false, `pnpm storage:setup` applies the rule (this worker has object rights only).
    if (config.s3.manageBuckets) {
      await ensureReportRetention(storage, bucket, config.app.retentionDays, logger).catch((err: unknown) =>
        logger.warn({ event: 'lifecycle_error', err }, 'could not apply the report retention rule; continuing'),
      );
    }

    // The scheduler's requests are outbox rows; this relay publishes them (any service's relay would).
    const relay = startOutboxRelay({ db, publish: dynamicPublisher(bus), logger });
    const consumer = await consumeReportRequests(
      bus,
      { db, storage, mailer, logger, settings: config.app, keys: config.keys, bucket },
      {
        concurrency: config.app.concurrency,
        maxDeliver: config.nats.maxDeliver,
        jobs: jobMetrics(infra.metrics, 'report', [0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300]),
      },
    );
    const scheduler = startReportScheduler({
      db,
      logger,
      catchUpMs: config.app.catchUpMs,
      onFired: () => void relay.flush().catch(() => undefined),
      metrics: schedulerMetrics(infra.metrics),
    });
    // Storage is deliberately not a readiness condition: without it reports go out as attachments.
    const { s3: _storage, ...core } = infra.checks();

    return {
      checks: { ...core, smtp: () => mailer.verify() },
      async stop() {
        scheduler.stop();
        await consumer.stop();
        await relay.stop();
        mailer.close();
      },
    };
  },
});
