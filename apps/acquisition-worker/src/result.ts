import type { AcquisitionResult, FailedReceiver, ReceiverTiming, StoredMeasurement } from '@pulse/acquisitions';

/** The final result, listed in the task's receiver order whatever order the receivers finished in. */
export function summarize(
  receivers: string[],
  stored: StoredMeasurement[],
  errors: FailedReceiver[],
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
