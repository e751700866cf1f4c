/** One receiver's stored .npy + metadata pair, as it appears in the task result. */
export type StoredMeasurement = {
  receiverId: string;
  npyFileId: string;
  metadataFileId: string;
  sha256: string;
  size: number;
  sampleCount: number;
  snrDb: number | null;
};

/** A receiver that failed in this attempt, with the reason its owner reads. */
export type FailedReceiver = { receiverId: string; message: string };

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
  errors: FailedReceiver[];
  timings: ReceiverTiming[];
};
