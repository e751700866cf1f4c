// `pnpm --filter @pulse/db seed`: demo data for a local stack. DATABASE_URL, SEED_TELEMETRY_ROWS (1000000).
import { dbConfig, int, loadConfigOrExit, z } from '@pulse/config';
import { createLogger } from '@pulse/logger';
import { createDb } from './client';
import { seedDemo } from './seed';

const config = loadConfigOrExit({
  db: dbConfig,
  seed: z.object({ SEED_TELEMETRY_ROWS: int(1_000_000, 0, 100_000_000) }),
});
const logger = createLogger({ name: 'seed' });
const db = createDb(config.db, { logger, applicationName: 'pulse-seed' });
const started = Date.now();
try {
  const summary = await seedDemo(db, { telemetryRows: config.seed.SEED_TELEMETRY_ROWS });
  logger.info({ event: 'seed_done', ...summary, durationMs: Date.now() - started }, 'demo data ready');
} catch (err) {
  logger.error({ event: 'seed_error', err }, 'seed failed');
  process.exitCode = 1;
} finally {
  await db.close();
}
