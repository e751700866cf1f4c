// pnpm storage:setup: the one-shot bucket administration that apps running with S3_MANAGE_BUCKETS=false
// (production: object permissions only) never do themselves. Creates the four buckets, merges Pulse's
// lifecycle rules and the upload CORS rule into each bucket's configuration (rules Pulse did not write
// are kept) and exits. Idempotent: compose's init step (the storage-setup service, from the app image,
// which is why it lives in this package) and deploy pipelines run it on every start.
//   Needs the same S3_* settings as the apps (bucket names, endpoint/region) with credentials allowed to
//   administer the buckets (S3_ACCESS_KEY/S3_SECRET_KEY, or the AWS credential chain: a setup role),
//   PUBLIC_BASE_URL (the UI origin that uploads), and the *_RETENTION_DAYS the workers use.
import { httpConfig, logConfig, loadConfigOrExit, retentionDaysConfig, s3Config } from '@pulse/config';
import { createLogger } from '@pulse/logger';
import { createStorage } from './create-storage';
import { setupStorage } from './setup';

const config = loadConfigOrExit({ log: logConfig, s3: s3Config, http: httpConfig, retentionDays: retentionDaysConfig });
const logger = createLogger({ name: 'storage-setup', level: config.log.level, pretty: config.log.pretty });
if (config.s3.backend !== 's3') {
  logger.info({ event: 'storage_setup_skipped' }, 'STORAGE_BACKEND is not s3: nothing to set up');
  process.exit(0);
}
const storage = createStorage({ config: config.s3, logger, service: 'storage-setup' });
try {
  const result = await setupStorage(
    storage,
    {
      buckets: config.s3.buckets,
      retentionDays: config.retentionDays,
      uploadOrigins: [new URL(config.http.publicBaseUrl).origin],
    },
    logger,
  );
  process.stdout.write(`${JSON.stringify(result)}\n`);
} catch (err) {
  logger.error({ event: 'storage_setup_failed', err }, 'storage setup failed');
  process.exitCode = 1;
} finally {
  storage.close();
}
