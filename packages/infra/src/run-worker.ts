import { type ConfigOf, type ConfigShape, type LogConfig, loadConfigOrExit, type OpsHttpConfig } from '@pulse/config';
import { createLogger, type Logger } from '@pulse/logger';
import { type ReadinessCheck, readinessProbe, runService } from '@pulse/runtime';
import { connectInfra, type Infra, type InfraOptions } from './connect';

/** What every worker's environment holds besides its own settings (`workerConfigShape` in @pulse/config). */
export type WorkerConfig = InfraOptions['config'] & { log: LogConfig; ops: OpsHttpConfig };

export interface WorkerContext<C> {
  config: C;
  logger: Logger;
  infra: Infra;
}

/** What a worker's `start` hands back once its consumers (and schedulers) run. */
export interface StartedWorker {
  /** Readiness checks for /health/ready; default `infra.checks()` (Postgres, NATS, S3 reachable). */
  checks?: Record<string, ReadinessCheck>;
  /** Stops the worker's own parts (consumers first); the ops listener and connections close after it. */
  stop?(): Promise<void>;
}

export interface WorkerOptions<S extends ConfigShape> {
  name: string;
  /** The worker's config shape (built with `workerConfigShape`); an invalid environment exits non-zero
   *  with one line per problem. */
  config: S & (ConfigOf<S> extends WorkerConfig ? unknown : never);
  start(ctx: WorkerContext<ConfigOf<S>>): Promise<StartedWorker>;
}

/**
 * The whole main.ts of a worker but its own parts: config, logger, Postgres/NATS/S3 and the metrics
 * registry (`connectInfra`), the ops listener (/health, /health/ready, /metrics) once `start` has
 * returned, and the graceful stop on SIGTERM (`runService`): the worker's parts, then the listener,
 * then the connections.
 */
export function runWorker<S extends ConfigShape>(options: WorkerOptions<S>): void {
  const config = loadConfigOrExit<S>(options.config) as ConfigOf<S> & WorkerConfig;
  const { name } = options;
  const logger = createLogger({ name, level: config.log.level, pretty: config.log.pretty });
  runService({
    name,
    logger,
    async start() {
      const infra = await connectInfra({ service: name, logger, config });
      // A failure here ends the process (runService), which closes every connection with it.
      const worker = await options.start({ config, logger, infra });
      const ops = await infra.startOps({ ops: config.ops, readiness: readinessProbe(worker.checks ?? infra.checks()) });
      return {
        async stop() {
          await worker.stop?.();
          await ops.close();
          await infra.close();
        },
      };
    },
  });
}
