export interface AcquireRequest {
  taskId: string;
  receiverId: string;
  /** Tuned centre frequency. */
  frequencyHz: number;
  /** The rate asked for; a receiver with a fixed rate (KiwiSDR) captures at its own and says so. */
  sampleRate: number;
  /** Complex samples at `sampleRate`; network sources capture `durationMs` of wall-clock time instead. */
  sampleCount: number;
  durationMs: number;
  /** The highest rate the registry allows this receiver; a receiver reporting more is refused. */
  maxSampleRate?: number;
  /** Where a network receiver is; absent for synthetic receivers. */
  address?: { host: string; port: number; password?: string };
  /** Aborted when the worker stops or the task is cancelled: a source closes its connection and throws. */
  signal: AbortSignal;
}

export interface Capture {
  /**
   * Interleaved I/Q (I0, Q0, I1, Q1, ...). Allocate it with `allocateIq` so the worker can turn it into
   * the .npy in place; it belongs to the worker once returned.
   */
  samples: Float32Array;
  /** The rate the samples are at (the receiver's own, where it has one). */
  sampleRate: number;
  startedAt: Date;
  endedAt: Date;
  /** Connecting and agreeing the stream, then receiving the samples. */
  setupMs: number;
  captureMs: number;
  /** What the receiver itself reports, when it does; the worker also estimates SNR from the samples. */
  snrDb?: number;
  /** Facts the receiver reported (server version, RSSI, GPS time, ...), copied into the metadata JSON. */
  reported?: Record<string, unknown>;
}

/** Where IQ samples come from: one implementation per receiver kind. */
export interface ReceiverSource {
  readonly name: string;
  acquire(request: AcquireRequest): Promise<Capture>;
}
