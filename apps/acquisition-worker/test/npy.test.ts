import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from '@jest/globals';
import { allocateIq, encodeComplex64Npy, npyComplex64Header } from '../src/npy';
import { estimateSnrDb } from '../src/snr';
import { gaussianPair, mulberry32 } from '../src/sources/prng';
import { generateSamples, receiverProfile } from '../src/sources/synthetic-source';
import { bytesOf, PYTHON, readNpy } from './npy-reader';

const dir = mkdtempSync(path.join(tmpdir(), 'npy-test-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('.npy v1.0 writer', () => {
  it.each([0, 1, 7, 1000, 123_456_789])('aligns the header to 64 bytes for shape (%i,)', (n) => {
    const header = npyComplex64Header(n);
    expect(header.length % 64).toBe(0);
    expect(header[header.length - 1]).toBe(0x0a);
    expect(header.readUInt16LE(8)).toBe(header.length - 10);
  });

  it('writes a file the independent reader parses to the same values', () => {
    const iq = new Float32Array([1.5, -2.25, 0, 3.4028234663852886e38, -0.1, Number.MIN_VALUE]);
    const parsed = readNpy(encodeComplex64Npy(iq));
    expect(parsed).toMatchObject({ major: 1, minor: 0, descr: '<c8', fortranOrder: false, shape: [3] });
    expect(parsed.dataOffset % 64).toBe(0);
    expect(Array.from(parsed.values)).toEqual(Array.from(iq));
  });

  it('writes samples from allocateIq in place, without copying them', () => {
    const iq = allocateIq(3);
    iq.set([1, 2, 3, 4, 5, 6]);
    const file = encodeComplex64Npy(iq);
    expect(file.buffer).toBe(iq.buffer);
    expect(readNpy(file)).toMatchObject({ descr: '<c8', shape: [3], dataOffset: 128 });
    expect(Array.from(readNpy(file).values)).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it('refuses an odd number of floats (half a complex sample)', () => {
    expect(() => encodeComplex64Npy(new Float32Array(3))).toThrow(RangeError);
  });

  it('is read by numpy.load with dtype complex64, the right shape and the same bytes', async () => {
    const samples = await generateSamples({
      taskId: 'unit',
      receiverId: 'twente',
      sampleRate: 48_000,
      sampleCount: 5_000,
    });
    const file = path.join(dir, 'unit.npy');
    writeFileSync(file, encodeComplex64Npy(samples));
    const script = [
      'import hashlib, numpy, sys',
      'a = numpy.load(sys.argv[1])',
      'print(a.dtype, a.shape, a.flags["F_CONTIGUOUS"] and a.ndim > 1, hashlib.sha256(a.tobytes()).hexdigest(), repr(float(a[1].imag)))',
    ].join('\n');
    const out = execFileSync(PYTHON, ['-c', script, file], { encoding: 'utf8' }).trim().split(' ');
    const expectedHash = createHash('sha256').update(bytesOf(samples)).digest('hex');
    expect(out).toEqual(['complex64', '(5000,)', 'False', expectedHash, String(samples[3])]);
  });
});

describe('synthetic receiver source', () => {
  const signal = {
    taskId: '5b0f0e64-3a55-4c6a-9f64-0d7f1d1c1a11',
    receiverId: 'kiwi-de',
    sampleRate: 96_000,
    sampleCount: 20_000,
  };

  it('regenerates the same samples for the same task and receiver, different ones otherwise', async () => {
    const bytes = async (s: typeof signal) => bytesOf(await generateSamples(s));
    const a = await bytes(signal);
    expect(a.equals(await bytes(signal))).toBe(true);
    expect(a.equals(await bytes({ ...signal, receiverId: 'twente' }))).toBe(false);
    expect(a.equals(await bytes({ ...signal, taskId: 'other' }))).toBe(false);
  });

  it('gives each receiver its own offset and SNR, inside the band', () => {
    const profiles = ['twente', 'kiwi-de', 'hackgreen', 'nl-utwente'].map((r) => receiverProfile(r, 96_000));
    expect(new Set(profiles.map((p) => p.offsetHz)).size).toBe(4);
    for (const p of profiles) {
      expect(Math.abs(p.offsetHz)).toBeLessThan(96_000 / 2);
      expect(p.snrDb).toBeGreaterThanOrEqual(6);
      expect(p.snrDb).toBeLessThanOrEqual(30);
    }
  });

  it('has an SNR the estimator recovers from the samples (within 1.5 dB)', async () => {
    for (const receiverId of ['twente', 'kiwi-de', 'hackgreen']) {
      const samples = await generateSamples({ ...signal, receiverId });
      expect(Math.abs(estimateSnrDb(samples)! - receiverProfile(receiverId, 96_000).snrDb)).toBeLessThan(1.5);
    }
  });

  it('finds no signal in pure gaussian noise', () => {
    const uniform = mulberry32(42);
    const pair = new Float64Array(2);
    const noise = new Float32Array(40_000);
    for (let i = 0; i < noise.length; i += 2) {
      gaussianPair(uniform, pair);
      noise.set(pair, i);
    }
    // Signal power estimates to about zero: either no estimate at all or a very low one.
    const snr = estimateSnrDb(noise);
    expect(snr === null || snr < -5).toBe(true);
  });
});
