/** A complex tone as a test peer sends it: `amplitude` · e^{j2π·offset·n/rate}. */
export interface Tone {
  offsetHz: number;
  /** Peak amplitude as a fraction of full scale. */
  amplitude: number;
}

export function toneSample(tone: Tone, rate: number, n: number): [number, number] {
  const phase = (2 * Math.PI * tone.offsetHz * n) / rate;
  return [tone.amplitude * Math.cos(phase), tone.amplitude * Math.sin(phase)];
}

/**
 * The strongest frequency in interleaved I/Q and its amplitude, from an FFT of the first `size`
 * samples (a power of two). With the tone on a bin (offset a multiple of rate/size) the amplitude is
 * exact; the sign of the frequency checks that I and Q were not swapped.
 */
export function dominantTone(iq: Float32Array, rate: number, size = 4096): { frequencyHz: number; amplitude: number } {
  const re = new Float64Array(size);
  const im = new Float64Array(size);
  for (let k = 0; k < size; k++) {
    re[k] = iq[2 * k]!;
    im[k] = iq[2 * k + 1]!;
  }
  fft(re, im);
  let best = 0;
  let bestPower = -1;
  for (let k = 0; k < size; k++) {
    const p = re[k]! ** 2 + im[k]! ** 2;
    if (p > bestPower) {
      bestPower = p;
      best = k;
    }
  }
  const bin = best > size / 2 ? best - size : best;
  return { frequencyHz: (bin * rate) / size, amplitude: Math.sqrt(bestPower) / size };
}

/** In-place iterative radix-2 FFT. */
function fft(re: Float64Array, im: Float64Array): void {
  const n = re.length;
  for (let i = 1, j = 0; i < n; i++) {
    let bit = n >> 1;
    for (; j & bit; bit >>= 1) j ^= bit;
    j ^= bit;
    if (i < j) {
      [re[i], re[j]] = [re[j]!, re[i]!];
      [im[i], im[j]] = [im[j]!, im[i]!];
    }
  }
  for (let len = 2; len <= n; len <<= 1) {
    const angle = (-2 * Math.PI) / len;
    for (let i = 0; i < n; i += len) {
      for (let k = 0; k < len / 2; k++) {
        const wr = Math.cos(angle * k);
        const wi = Math.sin(angle * k);
        const a = i + k;
        const b = a + len / 2;
        const xr = re[b]! * wr - im[b]! * wi;
        const xi = re[b]! * wi + im[b]! * wr;
        re[b] = re[a]! - xr;
        im[b] = im[a]! - xi;
        re[a] = re[a]! + xr;
        im[a] = im[a]! + xi;
      }
    }
  }
}
