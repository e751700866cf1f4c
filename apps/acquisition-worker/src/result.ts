import type { StoredMeasurement } from './task-store';

export type ReceiverError = { receiverId: string; message: string };

/** Per receiver stored in this attempt: how long connecting took, and the capture itself. */
export type ReceiverTiming = {
  receiverId: string;
  kind: string;
  sampleRate: number;
  setupMs: number;
  captureMs: number;
};

export type FinalState = 'SUCCESS' | 'PARTIAL_FAILURE' | 'FAILED';

/** What `acquisition_tasks.result` holds once a task is finished (type aliases, so it is plain JSON). */
export type AcquisitionResult = {
  status: FinalState;
  total: number;
  successful: number;
  failed: number;
  stored_measurements: StoredMeasurement[];
  errors: ReceiverError[];
  timings: ReceiverTiming[];
};

/** The final result, listed in the task's receiver order whatever order the receivers finished in. */
export function summarize(
  receivers: string[],
  stored: StoredMeasurement[],
  errors: ReceiverError[],
  timings: ReceiverTiming[] = [],
): AcquisitionResult {
  const byReceiver = <T extends { receiverId: string }>(a: T, b: T) =>
    receivers.indexOf(a.receiverId) - receivers.indexOf(b.receiverId);
  return {
    status: errors.length === 0 ? 'SUCCESS' : stored.length === 0 ? 'FAILED' : 'PARTIAL_FAILURE',
    total: receivers.length,
    successful: stored.length,
    failed: errors.length,
    stored_measurements: [...stored].sort(byReceiver),
    errors: [...errors].sort(byReceiver),
    timings: [...timings].sort(byReceiver),
  };
}
