import {
  type ClaimedTask,
  type Counters,
  claimTask,
  countFailedReceiver,
  type FailedReceiver,
  finishTask,
  isCancelled,
  RECEIVER_ID,
  type ReceiverTiming,
  receiversForCapture,
} from '@pulse/acquisitions';
import type { Bus, MessageContext, Payload } from '@pulse/bus';
import { PermanentError } from '@pulse/bus';
import type { Storage } from '@pulse/storage';
import type { Cancellations } from './cancellations';
import { forEachLimited } from './concurrency';
import type { AcquisitionSettings } from './config';
import { describeFailure } from './failure';
import type { AcquisitionMetrics } from './metrics';
import { summarize } from './result';
import { ReceiverFailure } from './sources/capture-session';
import { type MeasurementDeps, storeMeasurement } from './store-measurement';

export interface AcquisitionDeps extends MeasurementDeps {
  bus: Pick<Bus, 'emit'>;
  settings: Pick<AcquisitionSettings, 'receiverConcurrency' | 'memoryBudgetBytes' | 'maxSamples'>;
  metrics?: AcquisitionMetrics;
  /** Where `acquisition.cancelled` events find the running task (main.ts subscribes). */
  cancellations?: Cancellations;
  /** S3_MANAGE_BUCKETS: false means storage:setup made the bucket and we may not (default true). */
  manageBuckets?: boolean;
}

export type AcquisitionContext = Pick<MessageContext, 'signal' | 'working' | 'deliveryCount'>;

/** Complex samples per receiver for the requested duration (at least one). */
export const sampleCountFor = (task: Pick<ClaimedTask, 'durationMs' | 'sampleRate'>) =>
  Math.max(1, Math.round((task.durationMs * task.sampleRate) / 1000));

/** Bytes one receiver may hold while in flight: its samples plus an .npy copy of them (none when the
 *  source captured into `allocateIq` memory, but a source may not have). */
const BYTES_IN_FLIGHT_PER_SAMPLE = 2 * 8;

/** How many receivers may run at once: the configured cap, lowered to fit the memory budget. */
export function receiverConcurrency(
  settings: Pick<AcquisitionSettings, 'receiverConcurrency' | 'memoryBudgetBytes'>,
  sampleCount: number,
): number {
  const fits = Math.floor(settings.memoryBudgetBytes / (sampleCount * BYTES_IN_FLIGHT_PER_SAMPLE));
  return Math.max(1, Math.min(settings.receiverConcurrency, fits));
}

// Buckets known to exist, per storage client: every task after the first skips the S3 round trip.
// A failed check is forgotten, so the next task tries again.
const ensuredBuckets = new WeakMap<Storage, Map<string, Promise<void>>>();
function ensureBucketOnce(storage: Storage, bucket: string): Promise<void> {
  let known = ensuredBuckets.get(storage);
  if (!known) {
    known = new Map();
    ensuredBuckets.set(storage, known);
  }
  let ready = known.get(bucket);
  if (!ready) {
    ready = storage.ensureBucket(bucket);
    known.set(bucket, ready);
    ready.catch(() => known.delete(bucket));
  }
  return ready;
}

/**
 * `acquisition.requested` handler: captures every receiver of the task with bounded concurrency and
 * stores each as .npy + metadata. One receiver failing never stops the others; the task ends as
 * SUCCESS, PARTIAL_FAILURE or FAILED with per-receiver errors. A redelivered finished task is acked
 * without work; an interrupted one resumes with the receivers not stored yet.
 */
export async function handleAcquisition(
  deps: AcquisitionDeps,
  payload: Payload<'acquisition.requested'>,
  ctx: AcquisitionContext,
): Promise<void> {
  const { taskId } = payload;
  const log = deps.logger.child({ taskId });
  // The bucket is created on first use; checking it alongside the claim keeps it off the critical path.
  const bucketReady = deps.manageBuckets === false ? Promise.resolve() : ensureBucketOnce(deps.storage, deps.bucket);
  bucketReady.catch(() => undefined); // awaited below; a task that is not ours to run ignores it
  const claim = await claimTask(deps.db, taskId);
  if (!claim.claimed) {
    if (claim.state === null) throw new PermanentError('the acquisition task no longer exists');
    log.info(
      { event: 'acquisition_skipped', state: claim.state, deliveryCount: ctx.deliveryCount },
      'task already finished',
    );
    return;
  }
  const { task } = claim;
  const sampleCount = sampleCountFor(task);
  if (sampleCount > deps.settings.maxSamples) {
    throw new PermanentError(`${sampleCount} samples per receiver is over the limit of ${deps.settings.maxSamples}`);
  }
  const started = performance.now();
  log.info(
    { event: 'acquisition_started', receivers: task.receivers.length, resumed: claim.stored.length, sampleCount },
    'acquisition started',
  );
  // Receivers finish concurrently and their counter updates can come back out of order: an event older
  // than one already sent is dropped, so a progress bar never moves backwards.
  let latest = -1;
  const report = (c: Counters) => {
    ctx.working();
    if (c.current <= latest) return;
    latest = c.current;
    deps.bus.emit('acquisition.progress', { taskId, userId: task.userId, ...c });
  };
  report({ current: claim.stored.length, total: task.receivers.length, successful: claim.stored.length, failed: 0 });

  await bucketReady;
  const done = new Set(claim.stored.map((m) => m.receiverId));
  const stored = [...claim.stored];
  const errors: FailedReceiver[] = [];
  const timings: ReceiverTiming[] = [];
  const targets = await receiversForCapture(deps.db, task.receivers);
  const cancel = deps.cancellations?.track(taskId, () => isCancelled(deps.db, taskId));
  try {
    await forEachLimited(
      task.receivers.filter((r) => !done.has(r)),
      receiverConcurrency(deps.settings, sampleCount),
      async (receiverId) => {
        try {
          if (!RECEIVER_ID.test(receiverId)) throw new Error('invalid receiver id');
          const target = targets.get(receiverId);
          if (!target) throw new ReceiverFailure('not in the receivers registry (deleted since the request?)');
          if (!target.enabled) throw new ReceiverFailure('disabled in the receivers registry');
          // A signal of its own per receiver: the uploads' abort listeners then don't pile up on one.
          const signal = AbortSignal.any(cancel ? [ctx.signal, cancel.signal] : [ctx.signal]);
          const { measurement, counters, capture } = await storeMeasurement(deps, {
            task,
            receiverId,
            target,
            sampleCount,
            signal,
          });
          stored.push(measurement);
          timings.push({
            receiverId,
            kind: target.kind,
            sampleRate: capture.sampleRate,
            setupMs: Math.round(capture.setupMs),
            captureMs: Math.round(capture.captureMs),
          });
          deps.metrics?.receiver('stored', measurement.size);
          deps.metrics?.capture(target.kind, capture.setupMs / 1000, capture.captureMs / 1000);
          report(counters);
        } catch (err) {
          // Shutting down is not this receiver's failure: stop, and let the redelivery resume the task.
          if (ctx.signal.aborted) throw err;
          // Cancelled: not a receiver failure either; the task is already CANCELLED.
          if (cancel?.signal.aborted) return;
          const message = describeFailure(err);
          errors.push({ receiverId, message });
          deps.metrics?.receiver('failed', 0);
          log.warn({ event: 'acquisition_receiver_failed', receiverId, error: message }, 'receiver failed');
          report(await countFailedReceiver(deps.db, taskId));
        }
      },
    );
  } finally {
    cancel?.release();
  }
  if (cancel?.signal.aborted) {
    deps.bus.emit('acquisition.completed', { taskId, userId: task.userId, state: 'CANCELLED' });
    log.info(
      { event: 'acquisition_cancelled', stored: stored.length, durationMs: Math.round(performance.now() - started) },
      'acquisition cancelled: connections closed',
    );
    return;
  }

  const result = summarize(task.receivers, stored, errors, timings);
  await finishTask(deps.db, taskId, {
    result,
    error: result.status === 'SUCCESS' ? null : `${result.failed} of ${result.total} receivers failed`,
  });
  deps.bus.emit('acquisition.completed', { taskId, userId: task.userId, state: result.status });
  deps.metrics?.task(result.status, (performance.now() - started) / 1000);
  log.info(
    {
      event: 'acquisition_finished',
      status: result.status,
      successful: result.successful,
      failed: result.failed,
      durationMs: Math.round(performance.now() - started),
    },
    'acquisition finished',
  );
}
