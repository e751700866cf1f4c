import { collectDefaultMetrics, Counter, Histogram, Registry } from 'prom-client';

export { Counter, Gauge, Histogram, Registry } from 'prom-client';

/**
 * Every metric Pulse exports is named `pulse_<what>_<unit>` (counters end in `_total`), Node's default
 * ones included (`pulse_process_resident_memory_bytes`), so one prefix finds them all.
 */
export const METRIC_PREFIX = 'pulse_';

/**
 * How long a gauge read from Postgres or NATS at scrape time is reused (`cachedFor`): several
 * Prometheus servers, or a scraper in a loop, then cost one query per window, not one per scrape.
 */
export const GAUGE_CACHE_MS = 5000;

/** One registry per process, labelled with the service, with Node's default metrics (RSS, GC, event loop). */
export function createMetricsRegistry(service: string): Registry {
  const registry = new Registry();
  registry.setDefaultLabels({ service });
  collectDefaultMetrics({ register: registry, prefix: METRIC_PREFIX });
  return registry;
}

/** Feeds storage operation timings and failures into Prometheus (the storage package stays metrics-agnostic). */
export function storageMetrics(registry: Registry) {
  const hist = new Histogram({
    name: 'pulse_s3_operation_duration_seconds',
    help: 'S3 operation latency by operation and outcome',
    labelNames: ['op', 'ok'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [registry],
  });
  const errors = new Counter({
    name: 'pulse_s3_operation_errors_total',
    help: 'Failed S3 operations by operation and kind (the StorageError code: NotFound, AccessDenied, Timeout, Unavailable, Throttled…)',
    labelNames: ['op', 'kind'],
    registers: [registry],
  });
  return {
    observe: (op: string, durationMs: number, ok: boolean, errorKind?: string) => {
      hist.observe({ op, ok: String(ok) }, durationMs / 1000);
      if (!ok) errors.inc({ op, kind: errorKind ?? 'Other' });
    },
  };
}

/** Emails by kind (otp, report…): sent, or refused by the relay. */
export function mailMetrics(registry: Registry) {
  const sent = new Counter({
    name: 'pulse_emails_sent_total',
    help: 'Emails accepted by the SMTP relay, by kind',
    labelNames: ['kind'],
    registers: [registry],
  });
  const failed = new Counter({
    name: 'pulse_emails_failed_total',
    help: 'Emails the SMTP relay did not accept, by kind',
    labelNames: ['kind'],
    registers: [registry],
  });
  return { sent: (kind: string) => sent.inc({ kind }), failed: (kind: string) => failed.inc({ kind }) };
}

/** Messages the bus gave up on (moved to the dead-letter subject), by subject. */
export function busMetrics(registry: Registry) {
  const dead = new Counter({
    name: 'pulse_dead_letters_total',
    help: 'Messages moved to the dead-letter subject after their last delivery, by subject',
    labelNames: ['subject'],
    registers: [registry],
  });
  return { deadLettered: (subject: string) => dead.inc({ subject }) };
}

/**
 * A job's outcome and duration (`pulse_<kind>_jobs_total{outcome}`, `pulse_<kind>_job_duration_seconds{outcome}`):
 * outcome is `succeeded`, `failed` (given up) or `retried` (this attempt failed, another follows).
 */
export function jobMetrics(registry: Registry, kind: 'export' | 'report', buckets: number[]) {
  const jobs = new Counter({
    name: `pulse_${kind}_jobs_total`,
    help: `${kind} jobs by outcome (succeeded, failed, retried)`,
    labelNames: ['outcome'],
    registers: [registry],
  });
  const duration = new Histogram({
    name: `pulse_${kind}_job_duration_seconds`,
    help: `Time one ${kind} attempt took, by outcome`,
    labelNames: ['outcome'],
    buckets,
    registers: [registry],
  });
  const record = (outcome: JobOutcome, seconds: number) => {
    jobs.inc({ outcome });
    duration.observe({ outcome }, seconds);
  };
  return {
    record,
    /** Times one attempt; a failure counts as `failed` when `isFinal(err)` (no attempt follows), else `retried`. */
    async track<T>(work: () => Promise<T>, isFinal: (err: unknown) => boolean): Promise<T> {
      const started = performance.now();
      try {
        const result = await work();
        record('succeeded', (performance.now() - started) / 1000);
        return result;
      } catch (err) {
        record(isFinal(err) ? 'failed' : 'retried', (performance.now() - started) / 1000);
        throw err;
      }
    },
  };
}
export type JobOutcome = 'succeeded' | 'failed' | 'retried';
export type JobMetrics = ReturnType<typeof jobMetrics>;
