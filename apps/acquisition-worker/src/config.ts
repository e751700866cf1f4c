import {
  type ConfigOf,
  dbConfig,
  int,
  logConfig,
  natsConfig,
  nodeEnv,
  opsHttpConfig,
  s3Config,
  z,
} from '@pulse/config';

/** What acquisition-worker reads beyond the shared concerns. */
export const acquisitionWorkerSettings = z
  .object({
    // Receivers captured and uploaded at once within one task. Each holds its samples and the encoded
    // .npy in memory (up to 2 × 64 MB at the largest size), so this bounds the worker's memory too.
    ACQUISITION_RECEIVER_CONCURRENCY: int(4, 1, 32),
    // Tasks handled at once per replica; more replicas scale further.
    ACQUISITION_TASK_CONCURRENCY: int(1, 1, 16),
    // Refuses tasks beyond this many complex samples per receiver (8 Mi samples = a 64 MB .npy),
    // whatever wrote the row: the API enforces the same limit for users.
    ACQUISITION_MAX_SAMPLES: int(8 * 1024 * 1024, 1, 64 * 1024 * 1024),
  })
  .transform((e) => ({
    receiverConcurrency: e.ACQUISITION_RECEIVER_CONCURRENCY,
    taskConcurrency: e.ACQUISITION_TASK_CONCURRENCY,
    maxSamples: e.ACQUISITION_MAX_SAMPLES,
  }));

export const acquisitionWorkerConfigShape = {
  env: nodeEnv,
  log: logConfig,
  db: dbConfig,
  nats: natsConfig,
  s3: s3Config,
  ops: opsHttpConfig,
  app: acquisitionWorkerSettings,
};

export type AcquisitionWorkerConfig = ConfigOf<typeof acquisitionWorkerConfigShape>;
export type AcquisitionSettings = AcquisitionWorkerConfig['app'];
