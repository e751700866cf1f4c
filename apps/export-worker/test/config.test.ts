import { describe, expect, it } from '@jest/globals';
import { ConfigError, loadConfig } from '@pulse/config';
import { exportWorkerConfigShape } from '../src/config';

const BASE = {
  DATABASE_URL: 'postgresql://postgres@127.0.0.1:5432/pulse',
  S3_ENDPOINT: 'http://127.0.0.1:7480',
  S3_ACCESS_KEY: 'access',
  S3_SECRET_KEY: 'a-secret-value',
};

describe('export-worker config', () => {
  it('has working defaults for every export setting', () => {
    const config = loadConfig(exportWorkerConfigShape, BASE);
    expect(config.app).toEqual({ concurrency: 2, progressThrottleMs: 500, retentionDays: 7, xlsxFetchRows: 2000 });
    expect(config.s3.buckets.exports).toBe('pulse-exports');
    expect(config.ops).toEqual({ host: '127.0.0.1', port: 0 });
  });

  it('reads the EXPORT_* variables', () => {
    const config = loadConfig(exportWorkerConfigShape, {
      ...BASE,
      EXPORT_CONCURRENCY: '4',
      EXPORT_PROGRESS_THROTTLE_MS: '250',
      EXPORT_RETENTION_DAYS: '30',
      EXPORT_XLSX_FETCH_ROWS: '5000',
    });
    expect(config.app).toEqual({ concurrency: 4, progressThrottleMs: 250, retentionDays: 30, xlsxFetchRows: 5000 });
  });

  it('names every invalid variable and never prints a secret', () => {
    let error: unknown;
    try {
      loadConfig(exportWorkerConfigShape, {
        ...BASE,
        DATABASE_URL: 'nope',
        EXPORT_CONCURRENCY: '0',
        EXPORT_RETENTION_DAYS: 'soon',
      });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as ConfigError).message;
    for (const name of ['DATABASE_URL', 'EXPORT_CONCURRENCY', 'EXPORT_RETENTION_DAYS']) expect(message).toContain(name);
    expect(message).not.toContain('a-secret-value');
  });
});
