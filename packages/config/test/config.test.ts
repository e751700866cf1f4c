import { describe, expect, it } from '@jest/globals';
import { ConfigError, dbConfig, loadConfig, s3Config, smtpConfig } from '../src/index';

const s3Env = { S3_ENDPOINT: 'http://minio:9000', S3_ACCESS_KEY: 'AKIAEXAMPLE', S3_SECRET_KEY: 'super-secret-value' };

describe('loadConfig', () => {
  it('parses each concern into typed values with defaults', () => {
    const cfg = loadConfig(
      { s3: s3Config, smtp: smtpConfig },
      { ...s3Env, S3_PRESIGN_EXPIRY_S: '600', SMTP_PORT: '2525' },
    );
    expect(cfg.s3.publicEndpoint).toBe('http://minio:9000');
    expect(cfg.s3.presignExpirySec).toBe(600);
    expect(cfg.s3.checksumMode).toBe('when_required');
    expect(cfg.s3.multipart.partSizeBytes).toBe(8 * 1024 * 1024);
    expect(cfg.smtp.port).toBe(2525);
  });

  it('uses S3_PUBLIC_ENDPOINT for presigns when given', () => {
    const cfg = loadConfig({ s3: s3Config }, { ...s3Env, S3_PUBLIC_ENDPOINT: 'http://localhost:9000' });
    expect(cfg.s3.endpoint).toBe('http://minio:9000');
    expect(cfg.s3.publicEndpoint).toBe('http://localhost:9000');
  });

  it('reports every problem, one line each, without echoing values', () => {
    const env = {
      S3_ENDPOINT: 'not a url',
      S3_SECRET_KEY: 'super-secret-value',
      S3_PRESIGN_EXPIRY_S: '999999999',
      S3_CHECKSUM_MODE: 'always',
    };
    let err: unknown;
    try {
      loadConfig({ db: dbConfig, s3: s3Config }, env);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    const problems = (err as ConfigError).problems;
    expect(problems).toEqual(
      expect.arrayContaining([
        'DATABASE_URL: is required',
        expect.stringMatching(/^S3_ENDPOINT: /),
        expect.stringMatching(/^S3_PRESIGN_EXPIRY_S: /),
        'S3_CHECKSUM_MODE: must be one of when_required, when_supported',
      ]),
    );
    const text = (err as Error).message;
    expect(text).not.toContain('super-secret-value');
    expect(text).not.toContain('not a url');
    expect(text).not.toContain('999999999');
  });

  it('requires credentials for the s3 backend', () => {
    expect(() => loadConfig({ s3: s3Config }, { S3_ENDPOINT: 'http://minio:9000' })).toThrow(
      /S3_ACCESS_KEY: is required when STORAGE_BACKEND=s3[\s\S]*S3_SECRET_KEY: is required/,
    );
  });

  it('requires a signing key for the local backend', () => {
    expect(() => loadConfig({ s3: s3Config }, { STORAGE_BACKEND: 'local' })).toThrow(/LOCAL_STORAGE_SIGNING_KEY/);
    const cfg = loadConfig({ s3: s3Config }, { STORAGE_BACKEND: 'local', LOCAL_STORAGE_SIGNING_KEY: 'x'.repeat(32) });
    expect(cfg.s3.backend).toBe('local');
  });
});
