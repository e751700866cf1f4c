import { seedReceivers } from '@pulse/acquisitions';
import { dynamicPublisher } from '@pulse/bus';
import { loadConfigOrExit } from '@pulse/config';
import { startChangeFeed, startOutboxRelay } from '@pulse/db';
import { connectInfra } from '@pulse/infra';
import { createLogger, type Logger } from '@pulse/logger';
import { createMailer } from '@pulse/mail';
import { mailMetrics, runService } from '@pulse/runtime';
import { isStorageError, type Storage } from '@pulse/storage';
import { createApp } from './app';
import { uiApiConfigShape } from './config';
import { opsRoutes } from './health/ops-routes';
import { apiReadiness } from './health/readiness';

const config = loadConfigOrExit(uiApiConfigShape);

/**
 * Local stack and compose convenience (S3_MANAGE_BUCKETS=true): creates the buckets and lets the UI's
 * origin PUT uploads to the artifacts bucket. Best effort: the internet-facing API must start without
 * bucket-admin rights, which production gives only to `pnpm storage:setup`.
 */
async function prepareBuckets(cfg: typeof config, storage: Storage, log: Logger): Promise<void> {
  try {
    for (const bucket of Object.values(cfg.s3.buckets)) await storage.ensureBucket(bucket);
    await storage.allowBrowserOrigins(cfg.s3.buckets.artifacts, [new URL(cfg.http.publicBaseUrl).origin]);
  } catch (err) {
    if (!isStorageError(err, 'AccessDenied')) throw err;
    log.warn(
      { event: 's3_bucket_setup_denied' },
      'no right to create buckets or write CORS; run `pnpm storage:setup` with admin credentials',
    );
  }
}
const logger = createLogger({ name: 'ui-api', level: config.log.level, pretty: config.log.pretty });

runService({
  name: 'ui-api',
  logger,
  async start() {
    const infra = await connectInfra({ service: 'ui-api', logger, config });
    const { db, bus, storage, metrics } = infra;
    await seedReceivers(db, config.app.acquisition.seed);
    const mailer = createMailer({ config: config.smtp, logger, metrics: mailMetrics(metrics) });
    if (config.s3.manageBuckets) await prepareBuckets(config, storage, logger);
    const relay = startOutboxRelay({
      db,
      publish: dynamicPublisher(bus),
      logger,
      intervalMs: config.app.outboxIntervalMs,
    });

    const changes = startChangeFeed({
      connectionString: config.db.url,
      logger,
      applicationName: 'ui-api-changes',
    });

    const readiness = apiReadiness({ config, db, bus, storage });
    const app = createApp({
      config,
      logger,
      db,
      storage,
      bus,
      mailer,
      metrics,
      readiness,
      now: () => new Date(),
      kickOutbox: () => void relay.flush(),
      changes,
    });
    const server = app.listen(config.http.port, config.http.host);
    await new Promise<void>((resolve, reject) => server.once('listening', resolve).once('error', reject));
    logger.info({ event: 'http_listening', port: config.http.port }, `ui-api on ${config.http.publicBaseUrl}`);
    // /metrics and the readiness detail (endpoints, buckets), on the port that is not published.
    const ops = await infra.startOps({ ops: config.ops, readiness, routes: opsRoutes({ config, readiness }) });

    return {
      async stop() {
        // Stop accepting, let in-flight requests finish, then release connections.
        const closed = new Promise<void>((resolve) => server.close(() => resolve()));
        // Idle keep-alive sockets would otherwise hold close() open until the stop deadline.
        server.closeIdleConnections();
        await closed;
        await ops.close();
        await relay.stop();
        await changes.close();
        mailer.close();
        await infra.close();
      },
    };
  },
});
