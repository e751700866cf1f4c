/**
 * Blind SNR estimate of a constant-envelope signal in complex gaussian noise (the M2M4 moment
 * estimator): with M2 = E|x|², M4 = E|x|⁴, signal power S = √(2·M2² − M4) and noise N = M2 − S.
 * One pass, no FFT, and it needs no knowledge of the tone's frequency, so it works on any receiver.
 * Returns null when the samples hold no measurable signal (or no noise at all).
 *
 * Moments settle long before millions of samples: at most `maxSamples` evenly spaced samples are
 * used, which keeps the estimate's error far below a tenth of a dB and its cost off the upload path.
 */
export function estimateSnrDb(iq: Float32Array, maxSamples = 1 << 16): number | null {
  const total = iq.length / 2;
  if (total < 2) return null;
  const stride = Math.max(1, Math.floor(total / maxSamples));
  let n = 0;
  let m2 = 0;
  let m4 = 0;
  for (let k = 0; k < iq.length; k += 2 * stride) {
    const p = iq[k]! * iq[k]! + iq[k + 1]! * iq[k + 1]!;
    m2 += p;
    m4 += p * p;
    n++;
  }
  m2 /= n;
  m4 /= n;
  const s2 = 2 * m2 * m2 - m4;
  if (!(s2 > 0)) return null;
  const signal = Math.sqrt(s2);
  const noise = m2 - signal;
  if (!(noise > 0)) return null;
  return Math.round(10 * Math.log10(signal / noise) * 100) / 100;
}
