import { allocateIq } from '../npy';

export interface SessionLimits {
  /** Connecting, handshake and setup until the first samples: longer means the receiver is not answering. */
  connectTimeoutMs: number;
  /** No data for this long once capturing: the receiver stalled. */
  stallTimeoutMs: number;
}

/** Why a receiver's capture failed, in words for the task result (no addresses, no passwords). */
export class ReceiverFailure extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ReceiverFailure';
  }
}

/**
 * The bookkeeping every network source shares: a timer for setup, then a stall timer re-armed by
 * each frame; samples written straight into an `allocateIq` buffer sized for the wall-clock duration
 * at the receiver's rate, so memory is that buffer and nothing more; one settle (done, failed or
 * aborted) after which `close` runs exactly once.
 */
export class CaptureSession {
  readonly startedAt = new Date();
  readonly setupStarted = performance.now();
  setupMs = 0;
  captureStarted = 0;
  private samples: Float32Array | null = null;
  private written = 0;
  private timer: NodeJS.Timeout | undefined;
  private settled = false;
  private resolveDone!: () => void;
  private rejectDone!: (err: unknown) => void;
  readonly done = new Promise<void>((resolve, reject) => {
    this.resolveDone = resolve;
    this.rejectDone = reject;
  });

  constructor(
    private readonly limits: SessionLimits,
    signal: AbortSignal,
    private readonly close: () => void,
  ) {
    this.arm(limits.connectTimeoutMs, `no answer within ${limits.connectTimeoutMs} ms`);
    const onAbort = () => this.settle(signal.reason ?? new Error('aborted'));
    if (signal.aborted) onAbort();
    else signal.addEventListener('abort', onAbort, { once: true });
    this.done.then(
      () => signal.removeEventListener('abort', onAbort),
      () => signal.removeEventListener('abort', onAbort),
    );
  }

  get active(): boolean {
    return !this.settled;
  }

  /** Setup is over: the receiver agreed the rate; samples for `sampleCount` are allocated now. */
  begin(sampleCount: number): void {
    this.samples = allocateIq(sampleCount);
    this.setupMs = performance.now() - this.setupStarted;
    this.captureStarted = performance.now();
    this.arm(this.limits.stallTimeoutMs, `stalled: no samples for ${this.limits.stallTimeoutMs} ms`);
  }

  get capturing(): boolean {
    return this.samples !== null;
  }

  /** Room left, in complex samples. */
  get remaining(): number {
    return this.samples ? this.samples.length / 2 - this.written : 0;
  }

  /** Appends `count` samples produced by `fill(out, offset)` writing interleaved I/Q at `offset`. */
  write(count: number, fill: (out: Float32Array, offset: number, count: number) => void): void {
    if (!this.samples || this.settled) return;
    const n = Math.min(count, this.remaining);
    fill(this.samples, this.written * 2, n);
    this.written += n;
    if (this.remaining === 0) this.settle();
    else this.arm(this.limits.stallTimeoutMs, `stalled: no samples for ${this.limits.stallTimeoutMs} ms`);
  }

  fail(message: string | Error): void {
    this.settle(typeof message === 'string' ? new ReceiverFailure(message) : message);
  }

  /** The connection ended: fine only once every sample is in. */
  closed(what: string): void {
    if (this.settled) return;
    const got = this.capturing ? ` after ${this.written} of ${this.samples!.length / 2} samples` : ' during setup';
    this.fail(`${what}${got}`);
  }

  result(): { samples: Float32Array; captureMs: number } {
    return { samples: this.samples!, captureMs: performance.now() - this.captureStarted };
  }

  private arm(ms: number, message: string): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.fail(message), ms);
  }

  private settle(err?: unknown): void {
    if (this.settled) return;
    this.settled = true;
    clearTimeout(this.timer);
    this.close();
    if (err === undefined) this.resolveDone();
    else {
      // Nothing half-captured outlives a failure.
      this.samples = null;
      this.rejectDone(err);
    }
  }
}

/** Complex samples in `durationMs` of wall-clock time at `sampleRate` (at least one). */
export const samplesFor = (durationMs: number, sampleRate: number) =>
  Math.max(1, Math.round((durationMs * sampleRate) / 1000));
