import type { Logger } from '@pulse/logger';

export interface RunningService {
  stop(): Promise<void>;
}

export interface ServiceOptions {
  name: string;
  logger: Logger;
  start(): Promise<RunningService>;
  /** How long a graceful stop may take before the process exits anyway (compose's stop_grace_period is 10 s). */
  stopTimeoutMs?: number;
}

/**
 * The one process lifecycle every app shares: start, then on SIGTERM/SIGINT stop gracefully
 * (stop pulling messages, finish or release in-flight work, close connections) within a deadline.
 */
export function runService(options: ServiceOptions): void {
  const { logger, name } = options;
  const stopTimeoutMs = options.stopTimeoutMs ?? 9_000;
  let running: RunningService | undefined;
  let stopping = false;

  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ event: 'service_stopping', signal }, `${name} stopping`);
    const deadline = setTimeout(() => {
      logger.error({ event: 'service_stop_timeout', stopTimeoutMs }, `${name} did not stop in time; exiting`);
      process.exit(1);
    }, stopTimeoutMs);
    deadline.unref();
    (running ? running.stop() : Promise.resolve())
      .then(() => {
        logger.info({ event: 'service_stopped' }, `${name} stopped`);
        logger.flush?.();
        process.exit(0);
      })
      .catch((err: unknown) => {
        logger.error({ event: 'service_stop_error', err }, `${name} failed to stop cleanly`);
        process.exit(1);
      });
  };

  process.once('SIGTERM', () => shutdown('SIGTERM'));
  process.once('SIGINT', () => shutdown('SIGINT'));
  process.on('unhandledRejection', (err) => logger.error({ event: 'unhandled_rejection', err }, 'unhandled rejection'));

  options
    .start()
    .then((svc) => {
      running = svc;
      logger.info({ event: 'service_started' }, `${name} started`);
      if (stopping) void svc.stop();
    })
    .catch((err: unknown) => {
      logger.fatal({ event: 'service_start_failed', err }, `${name} failed to start`);
      logger.flush?.();
      process.exit(1);
    });
}
