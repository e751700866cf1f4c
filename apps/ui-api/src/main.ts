import { connectBus, dynamicPublisher } from '@pulse/bus';
import { loadConfigOrExit } from '@pulse/config';
import { createDb, startOutboxRelay } from '@pulse/db';
import { createLogger } from '@pulse/logger';
import { createMailer } from '@pulse/mail';
import { createMetricsRegistry, runService, storageMetrics } from '@pulse/runtime';
import { createStorage } from '@pulse/storage';
import { createApp } from './app';
import { uiApiConfigShape } from './config';

const config = loadConfigOrExit(uiApiConfigShape);
const logger = createLogger({ name: 'ui-api', level: config.log.level, pretty: config.log.pretty });

runService({
  name: 'ui-api',
  logger,
  async start() {
    const metrics = createMetricsRegistry('ui-api');
    const db = createDb(config.db, { logger, applicationName: 'ui-api' });
    const bus = await connectBus({ config: config.nats, logger, name: 'ui-api' });
    const storage = createStorage({ config: config.s3, logger, metrics: storageMetrics(metrics) });
    const mailer = createMailer({ config: config.smtp, logger });
    for (const bucket of Object.values(config.s3.buckets)) await storage.ensureBucket(bucket);
    const relay = startOutboxRelay({
      db,
      publish: dynamicPublisher(bus),
      logger,
      intervalMs: config.app.outboxIntervalMs,
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
    });
    const server = app.listen(config.http.port, config.http.host);
    await new Promise<void>((resolve, reject) => server.once('listening', resolve).once('error', reject));
    logger.info({ event: 'http_listening', port: config.http.port }, `ui-api on ${config.http.publicBaseUrl}`);

    return {
      async stop() {
        // Stop accepting, let in-flight requests finish, then release connections.
        await new Promise<void>((resolve) => server.close(() => resolve()));
        await relay.stop();
        await bus.close();
        mailer.close();
        storage.close();
        await db.close();
      },
    };
  },
});
