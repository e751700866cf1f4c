// One cleanup run from a terminal: `pnpm --filter @pulse/cleanup-worker cleanup --dry-run`.
// Logs go to stderr, the summary to stdout. Exit: 0 done, 1 done with errors, 2 skipped (lock held).
import { parseArgs } from 'node:util';
import { loadConfigOrExit } from '@pulse/config';
import { createDb } from '@pulse/db';
import { createLogger } from '@pulse/logger';
import { createStorage } from '@pulse/storage';
import { cleanupConfigShape } from './config';
import { runCleanup } from './run-cleanup';
import { formatSummary } from './summary';

const { values } = parseArgs({
  options: {
    'dry-run': { type: 'boolean', default: false },
    sample: { type: 'string', default: '10' },
    reason: { type: 'string', default: 'cli' },
    help: { type: 'boolean', short: 'h', default: false },
  },
  // pnpm may pass a literal `--` before our flags.
  allowPositionals: true,
});

if (values.help) {
  process.stdout.write('usage: cleanup [--dry-run] [--sample N] [--reason TEXT]\n');
  process.exit(0);
}

const config = loadConfigOrExit(cleanupConfigShape);
const logger = createLogger({ name: 'cleanup-worker', level: config.log.level, destination: process.stderr });
const db = createDb(config.db, { logger, applicationName: 'cleanup-cli' });
const storage = createStorage({ config: config.s3, logger });

try {
  const started = performance.now();
  const result = await runCleanup(
    { db, storage, logger, config, now: () => new Date(), dryRun: values['dry-run'] },
    { reason: values.reason, sampleSize: Math.max(0, Number.parseInt(values.sample, 10) || 0) },
  );
  if (result.skipped) {
    process.stdout.write('another cleanup run is in progress (advisory lock held); nothing done\n');
    process.exitCode = 2;
  } else {
    process.stdout.write(formatSummary(result.report, Math.round(performance.now() - started)));
    process.exitCode = result.report.issues.length ? 1 : 0;
  }
} finally {
  storage.close();
  await db.close();
}
