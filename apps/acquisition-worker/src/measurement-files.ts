export function measurementFilenames(receiverId: string) {
  return { npy: `websdr_${receiverId}.npy`, metadata: `websdr_${receiverId}_metadata.json` };
}

export const NPY_CONTENT_TYPE = 'application/octet-stream';
export const METADATA_CONTENT_TYPE = 'application/json';

export interface MeasurementFacts {
  taskId: string;
  receiverId: string;
  source: string;
  frequencyHz: number;
  /** The rate the samples are at (a KiwiSDR's own rate, whatever was asked). */
  sampleRate: number;
  requestedSampleRate: number;
  sampleCount: number;
  setupMs: number;
  captureMs: number;
  /** What the receiver reported (server version, RSSI, GPS time, ...). */
  reported: Record<string, unknown>;
  /** SNR computed from the stored samples. */
  snrDbEstimate: number | null;
  /** SNR the receiver reported, if it did. */
  snrDbReported: number | null;
  startedAt: Date;
  endedAt: Date;
  npySize: number;
  npySha256: string;
}

/** The `_metadata.json` next to each .npy: snake_case, since its readers are mostly Python scripts. */
export function metadataDocument(f: MeasurementFacts): Record<string, unknown> {
  return {
    schema: 'pulse.acquisition.measurement/1',
    task_id: f.taskId,
    receiver_id: f.receiverId,
    source: f.source,
    frequency_hz: f.frequencyHz,
    sample_rate: f.sampleRate,
    requested_sample_rate: f.requestedSampleRate,
    sample_count: f.sampleCount,
    setup_ms: f.setupMs,
    capture_ms: f.captureMs,
    receiver_reported: f.reported,
    dtype: 'complex64',
    layout: 'numpy .npy v1.0, 1-D, little-endian, I + jQ',
    snr_db_estimate: f.snrDbEstimate,
    snr_db_reported: f.snrDbReported,
    started_at: f.startedAt.toISOString(),
    ended_at: f.endedAt.toISOString(),
    npy_filename: measurementFilenames(f.receiverId).npy,
    npy_size: f.npySize,
    npy_sha256: f.npySha256,
  };
}

/** The key facts again as x-amz-meta-* headers, so a HEAD (or a bucket inventory) tells them without a GET. */
export function objectMetadata(f: MeasurementFacts): Record<string, string> {
  return {
    'task-id': f.taskId,
    receiver: f.receiverId,
    'frequency-hz': String(f.frequencyHz),
    'sample-rate': String(f.sampleRate),
    'sample-count': String(f.sampleCount),
    sha256: f.npySha256,
  };
}
