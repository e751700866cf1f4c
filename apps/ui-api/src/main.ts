import { dynamicPublisher } from '@pulse/bus';
import { loadConfigOrExit } from '@pulse/config';
import { startChangeFeed, startOutboxRelay } from '@pulse/db';
import { connectInfra } from '@pulse/infra';
import { createLogger } from '@pulse/logger';
import { createMailer } from '@pulse/mail';
import { runService } from '@pulse/runtime';
import { createApp } from './app';
import { uiApiConfigShape } from './config';

const config = loadConfigOrExit(uiApiConfigShape);
const logger = createLogger({ name: 'ui-api', level: config.log.level, pretty: config.log.pretty });

runService({
  name: 'ui-api',
  logger,
  async start() {
    const infra = await connectInfra({ service: 'ui-api', logger, config });
    const { db, bus, storage, metrics } = infra;
    const mailer = createMailer({ config: config.smtp, logger });
    for (const bucket of Object.values(config.s3.buckets)) await storage.ensureBucket(bucket);
    // The UI PUTs uploads straight to a presigned URL on this bucket: its pages' origin must be allowed.
    await storage.allowBrowserOrigins(config.s3.buckets.artifacts, [new URL(config.http.publicBaseUrl).origin]);
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

    const app = createApp({
      config,
      logger,
      db,
      storage,
      bus,
      mailer,
      metrics,
      now: () => new Date(),
      kickOutbox: () => void relay.flush(),
      changes,
    });
    const server = app.listen(config.http.port, config.http.host);
    await new Promise<void>((resolve, reject) => server.once('listening', resolve).once('error', reject));
    logger.info({ event: 'http_listening', port: config.http.port }, `ui-api on ${config.http.publicBaseUrl}`);

    return {
      async stop() {
        // Stop accepting, let in-flight requests finish, then release connections.
        const closed = new Promise<void>((resolve) => server.close(() => resolve()));
        // Idle keep-alive sockets would otherwise hold close() open until the stop deadline.
        server.closeIdleConnections();
        await closed;
        await relay.stop();
        await changes.close();
        mailer.close();
        await infra.close();
      },
    };
  },
});
