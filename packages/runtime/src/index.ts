export { Counter, createMetricsRegistry, Gauge, Histogram, Registry, storageMetrics } from './metrics';
export { type OpsServerOptions, type ReadinessCheck, runChecks, startOpsServer } from './ops-server';
export { backoffDelay, type RetryOptions, retry, sleep } from './retry';
export { type RunningService, runService, type ServiceOptions } from './service';
