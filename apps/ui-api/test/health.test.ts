import { createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
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

/** Everything the public listener must not show: internal hosts and bucket names. */
function internalNames(t: TestApp): string[] {
  return [new URL(t.config.s3.endpoint!).host, ...Object.values(t.config.s3.buckets)];
}

describe('public listener', () => {
  it('/health answers while the process lives', async () => {
    const res = await app.request('/health');
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'ok' });
  });

  it('/health/ready is 200 when Postgres, NATS and storage answer, without internal names', async () => {
    const res = await app.request('/health/ready');
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(JSON.parse(text)).toEqual({
      status: 'ready',
      checks: { postgres: true, nats: true, storage: true },
      failed: [],
    });
    for (const name of internalNames(app)) expect(text).not.toContain(name);
  });

  it('/health/ready is 503 naming storage when S3 is unreachable', async () => {
    const res = await broken.request('/health/ready');
    expect(res.status).toBe(503);
    expect(await res.json()).toEqual({
      status: 'unavailable',
      checks: { postgres: true, nats: true, storage: false },
      failed: ['storage'],
      error: { code: 'not_ready', message: 'not ready: storage' },
    });
  });

  it('/health/s3 says only whether storage answers and which backend, for anyone (admins and DEBUG too)', async () => {
    const admin = await app.login('root@example.com', { role: 'admin' });
    for (const res of [await app.request('/health/s3'), await app.request('/health/s3', { token: admin.token })]) {
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({ ok: true, backend: 's3' });
    }
    const down = await broken.request('/health/s3');
    expect(down.status).toBe(503);
    expect(await down.json()).toEqual({ ok: false, backend: 's3' });
  });

  it('does not serve /metrics (404), whoever asks', async () => {
    const admin = await app.login('metrics-admin@example.com', { role: 'admin' });
    for (const res of [await app.request('/metrics'), await app.request('/metrics', { token: admin.token })]) {
      expect(res.status).toBe(404);
      expect(await res.json()).toEqual({ error: { code: 'not_found', message: 'route not found' } });
    }
    expect((await app.request('/health/nope')).status).toBe(404);
  });
});

describe('ops listener', () => {
  it('/metrics: Prometheus text with the HTTP and S3 series', async () => {
    await app.request('/health');
    const res = await app.ops('/metrics');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/plain');
    const text = await res.text();
    expect(text).toContain('pulse_http_request_duration_seconds_bucket');
    expect(text).toContain('pulse_process_resident_memory_bytes');
  });

  it('/health/ready names the endpoint and every bucket it checked', async () => {
    const res = await app.ops('/health/ready');
    expect(res.status).toBe(200);
    const body = (await res.json()) as {
      status: string;
      detail: { storage: { detail: { endpoint: string }; buckets: Record<string, boolean> } };
    };
    expect(body.status).toBe('ready');
    expect(body.detail.storage.detail.endpoint).toBe(new URL(app.config.s3.endpoint!).host);
    expect(body.detail.storage.buckets).toEqual(
      Object.fromEntries(Object.values(app.config.s3.buckets).map((b) => [b, true])),
    );
  });

  it('/health/s3 answers {ok: true} with endpoint and buckets, never credentials', async () => {
    const res = await app.ops('/health/s3');
    expect(res.status).toBe(200);
    const text = await res.text();
    const { buckets } = app.config.s3;
    expect(JSON.parse(text)).toMatchObject({
      ok: true,
      backend: 's3',
      endpoint: new URL(app.config.s3.endpoint!).host,
      publicEndpoint: new URL(app.config.s3.publicEndpoint!).host,
      buckets: {
        exports: { name: buckets.exports, ok: true },
        reports: { name: buckets.reports, ok: true },
        rawIq: { name: buckets.rawIq, ok: true },
        artifacts: { name: buckets.artifacts, ok: true },
      },
      credentials: 'static',
      encryption: null,
      error: null,
    });
    expect(text).not.toContain(app.config.s3.credentials!.accessKeyId);
    expect(text).not.toContain(app.config.s3.credentials!.secretAccessKey);
  });

  it('/health/s3 and /health/ready are 503 with the reason when storage is unreachable', async () => {
    const s3 = await broken.ops('/health/s3');
    expect(s3.status).toBe(503);
    expect(await s3.json()).toMatchObject({ ok: false, backend: 's3', error: expect.any(String) });
    const ready = await broken.ops('/health/ready');
    expect(ready.status).toBe(503);
    expect(await ready.json()).toMatchObject({
      failed: ['storage'],
      detail: { storage: { detail: { endpoint: '127.0.0.1:9' }, error: expect.any(String) } },
    });
  });
});

describe('cost of probes and scrapes', () => {
  /** Forwards to RGW untouched (SigV4 signs the Host header, which is passed on) and counts HeadBucket calls. */
  let proxy: Server;
  let headBuckets = 0;
  let counted: TestApp;
  /** Connections checked out of the app's pool: every query (readiness's SELECT 1, the gauge's GROUP BY). */
  let queries = 0;

  beforeAll(async () => {
    const target = new URL(process.env.S3_ENDPOINT!);
    proxy = createServer((req, res) => {
      if (req.method === 'HEAD' && /^\/[^/?]+\/?(\?|$)/.test(req.url ?? '')) headBuckets++;
      const upstream = httpRequest(
        { host: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers },
        (answer) => {
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(res);
        },
      );
      upstream.on('error', () => res.destroy());
      req.pipe(upstream);
    });
    await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
    const proxyUrl = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
    counted = await startTestApp({
      // Nothing else may use the pool while we count: no relay polling the outbox.
      outboxRelay: false,
      storage: (config, logger) => createStorage({ config: { ...config.s3, endpoint: proxyUrl }, logger }),
    });
    counted.db.pool.on('acquire', () => {
      queries++;
    });
  });
  afterAll(async () => {
    await counted?.close();
    await new Promise<void>((resolve) => proxy?.close(() => resolve()));
  });

  async function burst(): Promise<number[]> {
    const probes = Array.from({ length: 25 }, () => [
      counted.request('/health/ready'),
      counted.request('/health/s3'),
      counted.ops('/health/ready'),
      counted.ops('/health/s3'),
    ]).flat();
    return Promise.all(probes.map(async (p) => (await p).status));
  }

  it('a burst of 100 readiness probes on both listeners makes one HeadBucket per bucket and one query', async () => {
    const buckets = Object.keys(counted.config.s3.buckets).length;
    expect(new Set(await burst())).toEqual(new Set([200]));
    expect({ headBuckets, queries }).toEqual({ headBuckets: buckets, queries: 1 });
    // Still the same verdict a moment later; a fresh one once it is older than the cache window (3 s).
    await burst();
    expect({ headBuckets, queries }).toEqual({ headBuckets: buckets, queries: 1 });
    await new Promise((r) => setTimeout(r, 3200));
    await burst();
    expect({ headBuckets, queries }).toEqual({ headBuckets: 2 * buckets, queries: 2 });
  });

  it('scrapes in a row count export jobs (GROUP BY) once per cache window', async () => {
    const before = queries;
    for (let i = 0; i < 10; i++) {
      const res = await counted.ops('/metrics');
      expect(res.status).toBe(200);
      await res.text();
    }
    expect(queries - before).toBe(1);
  });
});
