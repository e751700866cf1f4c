export { connectInfra, type Infra, type InfraOptions } from './connect';
export { runWorker, type StartedWorker, type WorkerConfig, type WorkerContext, type WorkerOptions } from './run-worker';
