export {
  busMetrics,
  Counter,
  createMetricsRegistry,
  GAUGE_CACHE_MS,
  Gauge,
  Histogram,
  type JobMetrics,
  type JobOutcome,
  jobMetrics,
  METRIC_PREFIX,
  mailMetrics,
  Registry,
  storageMetrics,
} from './metrics';
export { cachedFor } from './cached';
export { type OpsRoute, type OpsServerOptions, startOpsServer } from './ops-server';
export {
  type CheckOutcome,
  type ReadinessCheck,
  type ReadinessChecks,
  type ReadinessProbe,
  type ReadinessProbeOptions,
  type ReadinessReport,
  readinessProbe,
} from './readiness';
export { backoffDelay, type RetryOptions, retry, sleep } from './retry';
export { type RunningService, runService, type ServiceOptions } from './service';
