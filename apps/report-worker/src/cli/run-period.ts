import { parseArgs } from 'node:util';
import { connectBus, dynamicPublisher } from '@pulse/bus';
import { dbConfig, loadConfigOrExit, logConfig, natsConfig } from '@pulse/config';
import { createDb, startOutboxRelay } from '@pulse/db';
import { createLogger } from '@pulse/logger';
import { isPeriod, requestManualReports } from '@pulse/reports';

const USAGE = 'usage: pnpm --filter @pulse/report-worker run-period YYYY-MM|YYYY-Www [--follower <userId>] [--resend]';

/** Requests a period's reports now (the followers of that frequency, or one); running report-workers produce and send them. */
async function main(): Promise<number> {
  const { positionals, values } = parseArgs({
    allowPositionals: true,
    options: { follower: { type: 'string' }, resend: { type: 'boolean', default: false }, help: { type: 'boolean' } },
  });
  const period = positionals[0];
  if (values.help || !period || !isPeriod(period)) {
    console.error(USAGE);
    return values.help ? 0 : 2;
  }

  const config = loadConfigOrExit({ log: logConfig, db: dbConfig, nats: natsConfig });
  const logger = createLogger({ name: 'report-run-period', level: config.log.level, pretty: config.log.pretty });
  const db = createDb(config.db, { logger, applicationName: 'report-run-period' });
  const bus = await connectBus({ config: config.nats, logger, name: 'report-run-period' });
  try {
    const { requested, requestId } = await requestManualReports(db, {
      period,
      followerId: values.follower,
      resend: values.resend,
    });
    // Publish now rather than waiting for a service's relay tick; drain until the outbox is empty.
    const relay = startOutboxRelay({ db, publish: dynamicPublisher(bus), logger, intervalMs: 60_000 });
    while ((await relay.flush()).published > 0);
    await relay.stop();
    logger.info(
      { event: 'report_run_requested', period, requested, requestId, resend: values.resend },
      `requested ${requested} report(s) for ${period}`,
    );
    return 0;
  } finally {
    await bus.close();
    await db.close();
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  },
);
