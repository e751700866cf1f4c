import { type ConfigOf, int, workerConfigShape, z } from '@pulse/config';

/** What acquisition-worker reads beyond the shared concerns. */
export const acquisitionWorkerSettings = z
  .object({
    // Receivers captured and uploaded at once within one task, at most...
    ACQUISITION_RECEIVER_CONCURRENCY: int(8, 1, 32),
    // ...and fewer when their data would not fit this budget: a receiver in flight holds its samples
    // and the encoded .npy (2 × 8 bytes per sample, 128 MB at the largest size). Small captures all
    // go at once; the largest go four at a time with the default.
    ACQUISITION_MEMORY_BUDGET_MB: int(512, 16, 65_536),
    // Tasks handled at once per replica; more replicas scale further.
    ACQUISITION_TASK_CONCURRENCY: int(1, 1, 16),
    // Refuses tasks beyond this many complex samples per receiver (8 Mi samples = a 64 MB .npy),
    // whatever wrote the row: the API enforces the same limit for users.
    ACQUISITION_MAX_SAMPLES: int(8 * 1024 * 1024, 1, 64 * 1024 * 1024),
    // A network receiver that has not started streaming by then is given up (unreachable, hung handshake)...
    ACQUISITION_CONNECT_TIMEOUT_MS: int(10_000, 100, 120_000),
    // ...and one that stops sending for this long mid-capture has stalled.
    ACQUISITION_STALL_TIMEOUT_MS: int(5_000, 100, 120_000),
    // A running task's state is checked this often, in case its cancel event was missed (NATS reconnect).
    ACQUISITION_CANCEL_CHECK_MS: int(2_000, 50, 60_000),
  })
  .transform((e) => ({
    receiverConcurrency: e.ACQUISITION_RECEIVER_CONCURRENCY,
    memoryBudgetBytes: e.ACQUISITION_MEMORY_BUDGET_MB * 1024 * 1024,
    taskConcurrency: e.ACQUISITION_TASK_CONCURRENCY,
    maxSamples: e.ACQUISITION_MAX_SAMPLES,
    cancelCheckMs: e.ACQUISITION_CANCEL_CHECK_MS,
    receiverLimits: {
      connectTimeoutMs: e.ACQUISITION_CONNECT_TIMEOUT_MS,
      stallTimeoutMs: e.ACQUISITION_STALL_TIMEOUT_MS,
    },
  }));

export const acquisitionWorkerConfigShape = workerConfigShape(acquisitionWorkerSettings);

export type AcquisitionWorkerConfig = ConfigOf<typeof acquisitionWorkerConfigShape>;
export type AcquisitionSettings = AcquisitionWorkerConfig['app'];
