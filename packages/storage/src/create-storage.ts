import type { S3Config } from '@pulse/config';
import type { Logger } from '@pulse/logger';
import { createAlerter } from './alerts';
import { createLocalStorage } from './local/local-storage';
import { createObserver, type StorageMetrics } from './observe';
import { createS3Storage } from './s3/s3-storage';
import type { Storage } from './types';

export interface CreateStorageOptions {
  config: S3Config;
  logger: Logger;
  metrics?: StorageMetrics;
  /** Names the sender in alert payloads; defaults to the logger's `service` binding. */
  service?: string;
}

/** The one entry point: picks the backend from config (`STORAGE_BACKEND`). */
export function createStorage(options: CreateStorageOptions): Storage {
  const { config, metrics } = options;
  const logger = options.logger.child({ component: 'storage' });
  const service = options.service ?? String(options.logger.bindings().service ?? 'pulse');
  const observer = createObserver(metrics, logger);
  if (config.backend === 'local') return createLocalStorage({ config, logger, observer });
  const alerter = createAlerter({ webhookUrl: config.alertWebhookUrl, service, logger });
  return createS3Storage({ config, logger, observer, alerter });
}
