export { connectInfra, type Infra, type InfraOptions, readinessChecks } from './connect';
export { runWorker, type StartedWorker, type WorkerConfig, type WorkerContext, type WorkerOptions } from './run-worker';
export { type FailJobOptions, failJobOnDeadLetter } from './dead-letters';
