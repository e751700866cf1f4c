import { describe, expect, it } from '@jest/globals';
import {
  ConfigError,
  dbConfig,
  httpConfig,
  loadConfig,
  s3Config,
  signingKeyId,
  signingKeysConfig,
  smtpConfig,
} from '../src/index';

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

  it('treats an empty value as unset (compose passes an unset X as an empty string)', () => {
    const cfg = loadConfig(
      { s3: s3Config, smtp: smtpConfig },
      { ...s3Env, ALERT_WEBHOOK_URL: '', S3_PUBLIC_ENDPOINT: '', S3_PRESIGN_EXPIRY_S: '', SMTP_USER: '' },
    );
    expect(cfg.s3.alertWebhookUrl).toBeUndefined();
    expect(cfg.s3.publicEndpoint).toBe('http://minio:9000');
    expect(cfg.s3.presignExpirySec).toBe(3600);
    expect(cfg.smtp.auth).toBeUndefined();
    expect(() => loadConfig({ db: dbConfig }, { DATABASE_URL: '' })).toThrow(/DATABASE_URL: is required/);
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

  it('needs neither endpoint nor keys on AWS: the SDK default endpoint and credential chain apply', () => {
    const cfg = loadConfig({ s3: s3Config }, { AWS_REGION: 'eu-west-1' });
    expect(cfg.s3).toMatchObject({ endpoint: undefined, publicEndpoint: undefined, credentials: undefined });
    expect(cfg.s3.region).toBe('eu-west-1');
    // Virtual-hosted style on AWS; path style is the default only with an endpoint (MinIO, RGW).
    expect(cfg.s3.forcePathStyle).toBe(false);
    expect(loadConfig({ s3: s3Config }, s3Env).s3.forcePathStyle).toBe(true);
    expect(loadConfig({ s3: s3Config }, { ...s3Env, S3_FORCE_PATH_STYLE: 'false' }).s3.forcePathStyle).toBe(false);
    expect(loadConfig({ s3: s3Config }, { S3_REGION: 'us-west-2', AWS_REGION: 'eu-west-1' }).s3.region).toBe(
      'us-west-2',
    );
  });

  it('takes static keys as a pair, and says what to set for each kind of deployment', () => {
    const cfg = loadConfig({ s3: s3Config }, s3Env);
    expect(cfg.s3.credentials).toEqual({ accessKeyId: 'AKIAEXAMPLE', secretAccessKey: 'super-secret-value' });
    let err: unknown;
    try {
      loadConfig({ s3: s3Config }, { S3_ENDPOINT: 'http://minio:9000', S3_ACCESS_KEY: 'AKIAEXAMPLE' });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    const [problem] = (err as ConfigError).problems;
    expect(problem).toMatch(/^S3_SECRET_KEY: is required with S3_ACCESS_KEY/);
    expect(problem).toContain('AWS with a role');
    expect(problem).toContain('AWS with keys');
    expect(problem).toContain('MinIO, Ceph RGW or another S3 server');
    expect(problem).not.toContain('AKIAEXAMPLE');
  });

  it('parses server-side encryption and bucket management', () => {
    const cfg = loadConfig({ s3: s3Config }, { S3_SSE: 'aws:kms', S3_SSE_KMS_KEY_ID: 'alias/pulse' });
    expect(cfg.s3.sse).toEqual({ algorithm: 'aws:kms', kmsKeyId: 'alias/pulse' });
    expect(cfg.s3.manageBuckets).toBe(true);
    expect(loadConfig({ s3: s3Config }, { S3_SSE: 'AES256', S3_MANAGE_BUCKETS: 'false' }).s3).toMatchObject({
      sse: { algorithm: 'AES256' },
      manageBuckets: false,
    });
    expect(loadConfig({ s3: s3Config }, {}).s3.sse).toBeUndefined();
    expect(() => loadConfig({ s3: s3Config }, { S3_SSE: 'aes' })).toThrow(/S3_SSE: must be one of AES256, aws:kms/);
    expect(() => loadConfig({ s3: s3Config }, { S3_SSE: 'AES256', S3_SSE_KMS_KEY_ID: 'k' })).toThrow(
      /S3_SSE_KMS_KEY_ID: is only used with S3_SSE=aws:kms/,
    );
  });

  it('requires a signing key for the local backend', () => {
    expect(() => loadConfig({ s3: s3Config }, { STORAGE_BACKEND: 'local' })).toThrow(/LOCAL_STORAGE_SIGNING_KEY/);
    const cfg = loadConfig({ s3: s3Config }, { STORAGE_BACKEND: 'local', LOCAL_STORAGE_SIGNING_KEY: 'x'.repeat(32) });
    expect(cfg.s3.backend).toBe('local');
  });

  it('reads TRUST_PROXY as none, a hop count or proxy CIDRs, never "trust everything"', () => {
    const trust = (TRUST_PROXY?: string) => loadConfig({ http: httpConfig }, { TRUST_PROXY }).http.trustProxy;
    expect(trust(undefined)).toBe(false);
    expect(trust('0')).toBe(false);
    expect(trust('2')).toBe(2);
    expect(trust('10.0.0.0/8, 2001:db8::/32,192.0.2.7,loopback')).toEqual([
      '10.0.0.0/8',
      '2001:db8::/32',
      '192.0.2.7',
      'loopback',
    ]);
    // `true` would believe the leftmost X-Forwarded-For entry, which the client writes.
    for (const bad of ['true', '10.0.0.0/33', 'proxy.internal', '1.2.3.4/8/1']) {
      expect(() => trust(bad)).toThrow(ConfigError);
    }
  });
});

describe('signingKeysConfig', () => {
  const shape = { keys: signingKeysConfig({ reportLinks: 'REPORT_LINK_SECRET', otp: 'OTP_HASH_SECRET' }) };
  const env = { REPORT_LINK_SECRET: 'report-link-secret-0123', OTP_HASH_SECRET: 'otp-hash-secret-0123456' };

  it('reads one keyring per purpose, with a key id derived from the secret', () => {
    const { keys } = loadConfig(shape, env);
    expect(keys.reportLinks).toEqual({
      name: 'REPORT_LINK_SECRET',
      current: { id: signingKeyId(env.REPORT_LINK_SECRET), secret: env.REPORT_LINK_SECRET },
    });
    expect(keys.otp.current.id).not.toBe(keys.reportLinks.current.id);
    expect(keys.otp.current.id).toMatch(/^[A-Za-z0-9_-]{8}$/);
  });

  it('adds NAME_PREVIOUS as the previous key during a rotation', () => {
    const { keys } = loadConfig(shape, { ...env, REPORT_LINK_SECRET_PREVIOUS: 'the-old-report-link-secret' });
    expect(keys.reportLinks.previous).toEqual({
      id: signingKeyId('the-old-report-link-secret'),
      secret: 'the-old-report-link-secret',
    });
    expect(keys.otp.previous).toBeUndefined();
  });

  it('still reads the former name LINK_SIGNING_SECRET; the new name wins', () => {
    const { REPORT_LINK_SECRET, ...rest } = env;
    expect(
      loadConfig(shape, { ...rest, LINK_SIGNING_SECRET: REPORT_LINK_SECRET }).keys.reportLinks.current.secret,
    ).toBe(REPORT_LINK_SECRET);
    expect(
      loadConfig(shape, { ...env, LINK_SIGNING_SECRET: 'former-secret-0123456789' }).keys.reportLinks.current.secret,
    ).toBe(REPORT_LINK_SECRET);
  });

  it('requires each key, 16+ chars, and refuses one secret for two purposes, without echoing it', () => {
    expect(() => loadConfig(shape, { OTP_HASH_SECRET: env.OTP_HASH_SECRET })).toThrow(
      /REPORT_LINK_SECRET: is required \(16\+ chars; formerly LINK_SIGNING_SECRET\)/,
    );
    expect(() => loadConfig(shape, { ...env, OTP_HASH_SECRET: 'short' })).toThrow(/OTP_HASH_SECRET/);
    const shared = () => loadConfig(shape, { ...env, OTP_HASH_SECRET: env.REPORT_LINK_SECRET });
    expect(shared).toThrow(/OTP_HASH_SECRET: must differ from REPORT_LINK_SECRET/);
    expect(() => loadConfig(shape, { ...env, OTP_HASH_SECRET_PREVIOUS: env.REPORT_LINK_SECRET })).toThrow(
      /must differ/,
    );
    try {
      shared();
    } catch (err) {
      expect((err as Error).message).not.toContain(env.REPORT_LINK_SECRET);
    }
  });
});

describe('outside development and test', () => {
  const secrets = {
    REPORT_LINK_SECRET: '5f0c1e9a8b7d6c5e4f3a2b1c0d9e8f7a',
    UNSUBSCRIBE_SIGNING_SECRET: 'a1b2c3d4e5f60718293a4b5c6d7e8f90',
  };
  const load = (env: Record<string, string>) => () =>
    loadConfig({ db: dbConfig }, { DATABASE_URL: 'postgresql://db/pulse', ...env });
  const problems = (env: Record<string, string>) => {
    try {
      load(env)();
      return [];
    } catch (err) {
      return (err as ConfigError).problems;
    }
  };

  it('refuses the secrets published in this repository, whichever app reads them', () => {
    for (const [name, value] of [
      ['REPORT_LINK_SECRET', 'compose-dev-link-signing-secret'],
      ['UNSUBSCRIBE_SIGNING_SECRET', 'local-dev-unsubscribe-signing-secret-change-me'],
      ['OTP_HASH_SECRET_PREVIOUS', 'local-dev-otp-secret-CHANGE-ME'],
      ['S3_SECRET_KEY', 'pulse-minio-secret'],
      ['LOCAL_STORAGE_SIGNING_KEY', 'local-dev-storage-signing-key-change-me'],
    ] as const) {
      const found = problems({ NODE_ENV: 'production', ...secrets, [name]: value });
      expect(found).toEqual([expect.stringMatching(new RegExp(`^${name}: is a published example value`))]);
      expect(found.join('\n')).not.toContain(value);
    }
  });

  it('refuses every dev flag that is on', () => {
    const found = problems({ NODE_ENV: 'production', ...secrets, AUTH_DEV_ECHO: '1', DEBUG: 'true' });
    expect(found).toEqual([
      expect.stringMatching(/^AUTH_DEV_ECHO: .*only when NODE_ENV is development or test \(it is production\)/),
      expect.stringMatching(/^DEBUG: .*only when NODE_ENV is development or test/),
    ]);
    expect(load({ NODE_ENV: 'production', ...secrets, AUTH_DEV_ECHO: '0', DEBUG: '' })).not.toThrow();
  });

  it('allows them in development (also when NODE_ENV is unset) and test', () => {
    const dev = { REPORT_LINK_SECRET: 'local-dev-link-signing-secret-change-me', AUTH_DEV_ECHO: '1', DEBUG: '1' };
    for (const nodeEnv of [{ NODE_ENV: 'development' }, { NODE_ENV: 'test' }, {}] as Record<string, string>[]) {
      expect(load({ ...nodeEnv, ...dev })).not.toThrow();
    }
  });
});
