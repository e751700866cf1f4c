export {
  busMetrics,
  Counter,
  createMetricsRegistry,
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
export { type OpsServerOptions, type ReadinessCheck, runChecks, startOpsServer } from './ops-server';
export { backoffDelay, type RetryOptions, retry, sleep } from './retry';
export { type RunningService, runService, type ServiceOptions } from './service';
