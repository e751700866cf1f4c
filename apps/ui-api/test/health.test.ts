import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { loadConfig, s3Config } from '@pulse/config';
import { createStorage } from '@pulse/storage';
import { startTestApp, type TestApp } from './harness';

let app: TestApp;
/** Storage pointed at a closed port: readiness must say so, by name. */
let broken: TestApp;

beforeAll(async () => {
  [app, broken] = await Promise.all([
    startTestApp(),
    startTestApp({
      env: { DEBUG: '1' },
      storage: (config, logger) =>
        createStorage({
          config: loadConfig(
            { s3: s3Config },
            {
              STORAGE_BACKEND: 's3',
              S3_ENDPOINT: 'http://127.0.0.1:9',
              S3_ACCESS_KEY: 'unused',
              S3_SECRET_KEY: 'unused-secret',
              S3_RETRY_ATTEMPTS: '1',
              S3_HEALTH_TIMEOUT_MS: '500',
              S3_BUCKET_ARTIFACTS: config.s3.buckets.artifacts,
            },
          ).s3,
          logger,
        }),
    }),
  ]);
});
afterAll(async () => {
  await Promise.all([app?.close(), broken?.close()]);
});

describe('health', () => {
  it('/health answers while the process lives', async () => {
    const res = await app.request('/health');
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'ok' });
  });

  it('/health/ready is 200 when Postgres, NATS and storage answer', async () => {
    const res = await app.request('/health/ready');
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ status: 'ready', checks: { postgres: true, nats: true, storage: true } });
  });

  it('/health/ready is 503 naming storage when S3 is unreachable', async () => {
    const res = await broken.request('/health/ready');
    expect(res.status).toBe(503);
    expect(await res.json()).toMatchObject({
      status: 'unavailable',
      checks: { postgres: true, nats: true, storage: false },
      failed: ['storage'],
      error: { code: 'not_ready', message: 'not ready: storage' },
    });
  });

  it('/health/s3 shows the configuration without credentials', async () => {
    const res = await app.request('/health/s3');
    expect(res.status).toBe(200);
    const body = (await res.json()) as Record<string, unknown>;
    expect(body).toMatchObject({ backend: 's3', endpoint: new URL(app.config.s3.endpoint!).host });
    expect(body.deep).toBeUndefined();
    const text = JSON.stringify(body);
    expect(text).not.toContain(app.config.s3.credentials!.accessKeyId);
    expect(text).not.toContain(app.config.s3.credentials!.secretAccessKey);
  });

  it('/health/s3 runs the deep bucket check for admins', async () => {
    const admin = await app.login('root@example.com', { role: 'admin' });
    const res = await app.request('/health/s3', { token: admin.token });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { deep: { ok: boolean; buckets: Record<string, boolean> } };
    expect(body.deep.ok).toBe(true);
    expect(Object.values(body.deep.buckets)).toEqual([true, true, true, true]);
  });

  it('/health/s3 with DEBUG runs the deep check for anyone and reports failure with 503', async () => {
    const res = await broken.request('/health/s3');
    expect(res.status).toBe(503);
    expect(await res.json()).toMatchObject({ deep: { ok: false } });
  });

  it('answers 503 storage_unavailable (not 500) when a request needs S3 and S3 is down', async () => {
    const { token } = await broken.login('down@example.com');
    const started = await broken.request('/api/v1/files/uploads', {
      method: 'POST',
      token,
      json: { filename: 'a.csv', contentType: 'text/csv', size: 3 },
    });
    expect(started.status).toBe(201);
    const { fileId } = (await started.json()) as { fileId: string };
    const res = await broken.request(`/api/v1/files/${fileId}/complete`, { method: 'POST', token });
    expect(res.status).toBe(503);
    expect(await res.json()).toMatchObject({ error: { code: 'storage_unavailable' } });
  });

  it('sends the security headers on pages, API answers and redirects alike', async () => {
    const { token, user } = await app.login('headers@example.com');
    const file = await app.seed.file({ ownerId: user.id, filename: 'h.txt', contentType: 'text/plain' });
    const storageOrigin = new URL(app.config.s3.publicEndpoint!).origin;
    for (const res of [
      await app.request('/'),
      await app.request('/api/v1/me', { token }),
      await app.request(`/api/v1/files/${file.id}/download`, { token }),
      await app.request('/api/v1/nope'),
    ]) {
      const csp = res.headers.get('content-security-policy') ?? '';
      expect(csp).toContain("default-src 'self'");
      // Browser uploads go straight to storage: its origin, and only it, is allowed besides our own.
      expect(csp).toContain(`connect-src 'self' ${storageOrigin}`);
      expect(csp).not.toContain('upgrade-insecure-requests');
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      expect(res.headers.get('x-frame-options')).toBe('SAMEORIGIN');
      expect(res.headers.get('referrer-policy')).toBe('no-referrer');
      // Outside production (plain http locally) no HSTS, and Express never announces itself.
      expect(res.headers.get('strict-transport-security')).toBeNull();
      expect(res.headers.get('x-powered-by')).toBeNull();
    }
  });
});
