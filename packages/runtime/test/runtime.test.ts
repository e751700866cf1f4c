import { describe, expect, it } from '@jest/globals';
import { createLogger } from '@pulse/logger';
import { LogCapture } from '@pulse/testing';
import {
  backoffDelay,
  busMetrics,
  cachedFor,
  createMetricsRegistry,
  Gauge,
  jobMetrics,
  mailMetrics,
  readinessProbe,
  retry,
  sleep,
  startOpsServer,
  storageMetrics,
} from '../src/index';

describe('retry', () => {
  it('retries until success and reports each retry', async () => {
    let calls = 0;
    const retries: number[] = [];
    const out = await retry(
      async () => {
        calls++;
        if (calls < 3) throw new Error('flaky');
        return 'ok';
      },
      { attempts: 5, baseMs: 1, onRetry: ({ attempt }) => retries.push(attempt) },
    );
    expect(out).toBe('ok');
    expect(calls).toBe(3);
    expect(retries).toEqual([1, 2]);
  });

  it('stops at once on a non-retryable error and after the last attempt', async () => {
    let calls = 0;
    await expect(
      retry(
        async () => {
          calls++;
          throw new Error('fatal');
        },
        { attempts: 5, baseMs: 1, isRetryable: () => false },
      ),
    ).rejects.toThrow('fatal');
    expect(calls).toBe(1);
    calls = 0;
    await expect(
      retry(
        async () => {
          calls++;
          throw new Error('down');
        },
        { attempts: 3, baseMs: 1 },
      ),
    ).rejects.toThrow('down');
    expect(calls).toBe(3);
  });

  it('backs off exponentially with jitter, capped', () => {
    for (let i = 0; i < 50; i++) {
      const d3 = backoffDelay(3, 100);
      expect(d3).toBeGreaterThanOrEqual(200);
      expect(d3).toBeLessThanOrEqual(400);
      expect(backoffDelay(30, 100, 1000)).toBeLessThanOrEqual(1000);
    }
  });
});

describe('ops server', () => {
  it('serves liveness, readiness naming failed checks with their detail, metrics and extra routes', async () => {
    const logger = createLogger({ name: 't', destination: new LogCapture() });
    let s3Up = true;
    const ops = await startOpsServer({
      host: '127.0.0.1',
      port: 0,
      logger,
      registry: createMetricsRegistry('t'),
      readiness: readinessProbe(
        {
          db: async () => true,
          s3: async () => ({ ok: s3Up, detail: { endpoint: 's3.internal:9000' } }),
          hung: () => new Promise<boolean>((r) => setTimeout(() => r(true), 50)),
        },
        { timeoutMs: 1000, cacheMs: 0 },
      ),
      routes: { '/health/s3': async () => ({ status: 200, body: { ok: true } }) },
    });
    const base = `http://127.0.0.1:${ops.port}`;
    try {
      expect((await fetch(`${base}/health`)).status).toBe(200);
      const ready = await fetch(`${base}/health/ready`);
      expect(ready.status).toBe(200);
      expect(await ready.json()).toMatchObject({ status: 'ready', detail: { s3: { endpoint: 's3.internal:9000' } } });
      s3Up = false;
      const res = await fetch(`${base}/health/ready`);
      expect(res.status).toBe(503);
      expect(await res.json()).toMatchObject({ failed: ['s3'], checks: { db: true, s3: false } });
      expect(await (await fetch(`${base}/health/s3`)).json()).toEqual({ ok: true });
      const metrics = await (await fetch(`${base}/metrics`)).text();
      expect(metrics).toContain('process_resident_memory_bytes');
      expect((await fetch(`${base}/nope`)).status).toBe(404);
      expect((await fetch(`${base}/toString`)).status).toBe(404);
    } finally {
      await ops.close();
    }
  });

  it('answers 500 instead of hanging when a metric cannot be collected', async () => {
    const registry = createMetricsRegistry('t');
    new Gauge({
      name: 'pulse_broken',
      help: 'fails',
      registers: [registry],
      collect() {
        throw new Error('database gone');
      },
    });
    const ops = await startOpsServer({
      host: '127.0.0.1',
      port: 0,
      logger: createLogger({ name: 't', destination: new LogCapture() }),
      registry,
      readiness: readinessProbe({}),
    });
    try {
      expect((await fetch(`http://127.0.0.1:${ops.port}/metrics`, { signal: AbortSignal.timeout(5000) })).status).toBe(
        500,
      );
    } finally {
      await ops.close();
    }
  });
});

describe('readiness probe', () => {
  it('runs the checks once for a burst of callers and again once the verdict is older than cacheMs', async () => {
    let runs = 0;
    const probe = readinessProbe(
      {
        db: async () => {
          runs++;
          await sleep(50);
          return true;
        },
      },
      { cacheMs: 300 },
    );
    const burst = await Promise.all(Array.from({ length: 50 }, () => probe.report()));
    expect(runs).toBe(1);
    expect(burst.every((r) => r.ready)).toBe(true);
    await probe.report();
    expect(runs).toBe(1);
    await sleep(350);
    await Promise.all([probe.report(), probe.report()]);
    expect(runs).toBe(2);
  });

  it('counts a throwing or hung check as failed', async () => {
    const report = await readinessProbe(
      {
        thrown: async () => {
          throw new Error('down');
        },
        hung: () => new Promise<boolean>(() => undefined),
        fine: async () => ({ ok: true, detail: { latencyMs: 1 } }),
      },
      { timeoutMs: 100 },
    ).report();
    expect(report).toEqual({
      ready: false,
      checks: { thrown: false, hung: false, fine: true },
      failed: ['thrown', 'hung'],
      detail: { fine: { latencyMs: 1 } },
    });
  });
});

describe('cachedFor', () => {
  it('shares a call in flight and reuses its outcome, failures included, for the window', async () => {
    let calls = 0;
    const read = cachedFor(200, async () => {
      calls++;
      if (calls === 1) throw new Error('first fails');
      return calls;
    });
    const first = await Promise.allSettled([read(), read()]);
    expect(first.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    await expect(read()).rejects.toThrow('first fails');
    expect(calls).toBe(1);
    await sleep(250);
    expect(await read()).toBe(2);
  });
});

describe('Pulse metrics', () => {
  it('names every metric with the pulse_ prefix, default ones included', async () => {
    const registry = createMetricsRegistry('t');
    storageMetrics(registry);
    mailMetrics(registry);
    busMetrics(registry);
    jobMetrics(registry, 'export', [1]);
    const names = (await registry.getMetricsAsJSON()).map((m) => m.name);
    expect(names).toContain('pulse_process_resident_memory_bytes');
    expect(names.filter((n) => !n.startsWith('pulse_'))).toEqual([]);
  });

  it('counts S3 failures by kind, emails, dead letters, and jobs by outcome with their duration', async () => {
    const registry = createMetricsRegistry('t');
    const s3 = storageMetrics(registry);
    s3.observe('put', 12, true);
    s3.observe('put', 40, false, 'Unavailable');
    s3.observe('head', 3, false, 'NotFound');
    const mail = mailMetrics(registry);
    mail.sent('otp');
    mail.failed('report');
    busMetrics(registry).deadLettered('export.requested');
    const jobs = jobMetrics(registry, 'export', [0.5, 5]);
    await jobs.track(
      async () => undefined,
      () => true,
    );
    await expect(
      jobs.track(
        async () => Promise.reject(new Error('retry me')),
        () => false,
      ),
    ).rejects.toThrow();
    await expect(
      jobs.track(
        async () => Promise.reject(new Error('give up')),
        () => true,
      ),
    ).rejects.toThrow();
    const text = await registry.metrics();
    expect(text).toMatch(/pulse_s3_operation_errors_total\{op="put",kind="Unavailable",service="t"\} 1/);
    expect(text).toMatch(/pulse_s3_operation_errors_total\{op="head",kind="NotFound",service="t"\} 1/);
    expect(text).toMatch(/pulse_emails_sent_total\{kind="otp",service="t"\} 1/);
    expect(text).toMatch(/pulse_emails_failed_total\{kind="report",service="t"\} 1/);
    expect(text).toMatch(/pulse_dead_letters_total\{subject="export.requested",service="t"\} 1/);
    for (const outcome of ['succeeded', 'retried', 'failed']) {
      expect(text).toMatch(new RegExp(`pulse_export_jobs_total\\{outcome="${outcome}",service="t"\\} 1`));
      expect(text).toMatch(new RegExp(`pulse_export_job_duration_seconds_count\\{[^}]*outcome="${outcome}"[^}]*\\} 1`));
    }
  });
});
