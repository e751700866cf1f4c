import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import { allocateIq } from '../npy';
import { gaussianPair, mulberry32, seedFrom } from './prng';
import type { AcquireRequest, Capture, ReceiverSource } from './receiver-source';

export interface ReceiverProfile {
  /** Where the tone sits relative to the tuned frequency (each receiver's oscillator is a bit off). */
  offsetHz: number;
  /** Tone power over noise power. */
  snrDb: number;
}

const MIN_SNR_DB = 6;
const SNR_SPAN_DB = 24;
/** Tone offsets stay within ±20 % of the sample rate, well inside the ±50 % Nyquist band. */
const MAX_OFFSET_FRACTION = 0.2;
/** Samples generated between yields, so uploads of other receivers keep moving meanwhile. */
const CHUNK = 1 << 16;

/** Each receiver's fixed character: derived from its id alone, so it is the same in every task. */
export function receiverProfile(receiverId: string, sampleRate: number): ReceiverProfile {
  const next = mulberry32(seedFrom(`profile:${receiverId}`));
  return {
    offsetHz: Math.round((next() * 2 - 1) * MAX_OFFSET_FRACTION * sampleRate),
    snrDb: Math.round((MIN_SNR_DB + next() * SNR_SPAN_DB) * 10) / 10,
  };
}

export interface SyntheticSignal {
  taskId: string;
  receiverId: string;
  sampleRate: number;
  sampleCount: number;
}

/**
 * The deterministic capture for one task and receiver: a unit-power complex tone at the receiver's
 * offset plus complex gaussian noise at its SNR, seeded by task and receiver. Tests call this to get
 * the exact values a stored .npy must contain.
 */
export async function generateSamples(signal: SyntheticSignal, abort?: AbortSignal): Promise<Float32Array> {
  const { offsetHz, snrDb } = receiverProfile(signal.receiverId, signal.sampleRate);
  const uniform = mulberry32(seedFrom(`${signal.taskId}:${signal.receiverId}`));
  const noise = new Float64Array(2);
  const sigma = Math.sqrt(10 ** (-snrDb / 10) / 2); // noise power split evenly between I and Q
  const phase0 = 2 * Math.PI * uniform();
  const step = (2 * Math.PI * offsetHz) / signal.sampleRate;
  const out = allocateIq(signal.sampleCount);
  for (let start = 0; start < signal.sampleCount; start += CHUNK) {
    abort?.throwIfAborted();
    const end = Math.min(start + CHUNK, signal.sampleCount);
    for (let k = start; k < end; k++) {
      const phase = phase0 + step * k;
      gaussianPair(uniform, noise);
      out[2 * k] = Math.cos(phase) + sigma * noise[0]!;
      out[2 * k + 1] = Math.sin(phase) + sigma * noise[1]!;
    }
    if (end < signal.sampleCount) await yieldToEventLoop();
  }
  return out;
}

/** The default source: no network, same bytes every time for the same task and receiver. */
export function syntheticSource(): ReceiverSource {
  return {
    name: 'synthetic',
    async acquire(request: AcquireRequest): Promise<Capture> {
      const startedAt = new Date();
      const t0 = performance.now();
      const samples = await generateSamples(request, request.signal);
      return {
        samples,
        sampleRate: request.sampleRate,
        startedAt,
        endedAt: new Date(),
        setupMs: 0,
        captureMs: performance.now() - t0,
        snrDb: receiverProfile(request.receiverId, request.sampleRate).snrDb,
      };
    },
  };
}
