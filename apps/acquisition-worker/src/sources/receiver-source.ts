export interface AcquireRequest {
  taskId: string;
  receiverId: string;
  /** Tuned centre frequency. */
  frequencyHz: number;
  sampleRate: number;
  /** Complex samples to capture. */
  sampleCount: number;
  /** Aborted when the worker stops: a source stops capturing and throws. */
  signal: AbortSignal;
}

export interface Capture {
  /**
   * Interleaved I/Q (I0, Q0, I1, Q1, ...): 2 × sampleCount floats. Allocate it with `allocateIq` so
   * the worker can turn it into the .npy in place; it belongs to the worker once returned.
   */
  samples: Float32Array;
  startedAt: Date;
  endedAt: Date;
  /** What the receiver itself reports, when it does; the worker also estimates SNR from the samples. */
  snrDb?: number;
}

/** Where IQ samples come from: the synthetic generator today, a network WebSDR client later. */
export interface ReceiverSource {
  readonly name: string;
  acquire(request: AcquireRequest): Promise<Capture>;
}
