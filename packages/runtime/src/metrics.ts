import { collectDefaultMetrics, Histogram, Registry } from 'prom-client';

export { Counter, Gauge, Histogram, Registry } from 'prom-client';

/** One registry per process, labelled with the service, with Node's default metrics (RSS, GC, event loop). */
export function createMetricsRegistry(service: string): Registry {
  const registry = new Registry();
  registry.setDefaultLabels({ service });
  collectDefaultMetrics({ register: registry });
  return registry;
}

/** Feeds storage operation timings into Prometheus (the storage package stays metrics-agnostic). */
export function storageMetrics(registry: Registry) {
  const hist = new Histogram({
    name: 's3_operation_duration_seconds',
    help: 'S3 operation latency by operation and outcome',
    labelNames: ['op', 'ok'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [registry],
  });
  return {
    observe: (op: string, durationMs: number, ok: boolean) => hist.observe({ op, ok: String(ok) }, durationMs / 1000),
  };
}
