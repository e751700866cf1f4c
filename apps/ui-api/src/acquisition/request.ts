import { z } from '@pulse/config';

/**
 * What one acquisition may ask for. The frequency range is the HF band the public WebSDRs cover
 * (100 kHz … 30 MHz); the rate tops out at 2.4 MS/s, what RTL-SDR-class receivers deliver without
 * dropping samples; the sample cap keeps one receiver's .npy at 64 MB (8 Mi complex64 samples), which
 * is also what the worker holds in memory per receiver in flight.
 */
export const ACQUISITION_LIMITS = {
  frequencyHz: { min: 100_000, max: 30_000_000 },
  // Wall-clock capture time for network receivers: a minute of a 12 kHz KiwiSDR is 720 k samples.
  durationMs: { min: 10, max: 60_000 },
  sampleRate: { min: 1_000, max: 2_400_000 },
  maxSamplesPerReceiver: 8 * 1024 * 1024,
  maxReceivers: 32,
  /** Queued or running tasks per user: each can hold a worker for seconds and write ~0.5 GB. */
  maxActivePerUser: 3,
} as const;

const L = ACQUISITION_LIMITS;

export const samplesPerReceiver = (r: { durationMs: number; sampleRate: number }) =>
  Math.max(1, Math.round((r.durationMs * r.sampleRate) / 1000));

export const acquireBody = z
  .strictObject({
    frequencyHz: z.number().int().min(L.frequencyHz.min).max(L.frequencyHz.max),
    durationMs: z.number().int().min(L.durationMs.min).max(L.durationMs.max),
    sampleRate: z.number().int().min(L.sampleRate.min).max(L.sampleRate.max),
    receivers: z
      .array(z.string().min(1).max(64))
      .min(1)
      .max(L.maxReceivers)
      .refine((ids) => new Set(ids).size === ids.length, 'receivers must be unique')
      .optional(),
  })
  .refine((r) => samplesPerReceiver(r) <= L.maxSamplesPerReceiver, {
    path: ['durationMs'],
    message: `durationMs × sampleRate may give at most ${L.maxSamplesPerReceiver} samples per receiver (64 MB)`,
  });

export type AcquireRequest = z.output<typeof acquireBody>;
