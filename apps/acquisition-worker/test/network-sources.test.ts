import { afterEach, describe, expect, it } from '@jest/globals';
import { waitFor } from '@pulse/testing';
import { kiwisdrSource, parseKiwiMsg } from '../src/sources/kiwisdr-source';
import type { AcquireRequest } from '../src/sources/receiver-source';
import { RTL_COMMAND, rtlTcpSource } from '../src/sources/rtl-tcp-source';
import { KIWI_GPS, startKiwiPeer, startRtlTcpPeer, dominantTone } from '@pulse/testing/receiver-peers';

const LIMITS = { connectTimeoutMs: 2_000, stallTimeoutMs: 400 };
const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (closers.length) await closers.pop()!();
});

function request(port: number, over: Partial<AcquireRequest> = {}): AcquireRequest {
  return {
    taskId: 't',
    receiverId: 'r',
    frequencyHz: 7_100_000,
    sampleRate: 240_000,
    sampleCount: 0,
    durationMs: 500,
    address: { host: '127.0.0.1', port },
    signal: new AbortController().signal,
    ...over,
  };
}

describe('rtl_tcp source', () => {
  it('sends rate, frequency and gain mode, and decodes the u8 I/Q tone (frequency, sign and amplitude)', async () => {
    const rate = 240_000;
    const peer = await startRtlTcpPeer({ tone: { offsetHz: -rate / 8, amplitude: 0.8 } });
    closers.push(peer.close);
    const capture = await rtlTcpSource(LIMITS).acquire(request(peer.port, { frequencyHz: 100_000_000 }));
    expect(peer.commands).toEqual([
      [RTL_COMMAND.sampleRate, rate],
      [RTL_COMMAND.frequency, 100_000_000],
      [RTL_COMMAND.gainMode, 0],
    ]);
    expect(capture.samples.length).toBe(2 * 120_000); // 500 ms at 240 kS/s
    expect(capture.sampleRate).toBe(rate);
    expect(capture.reported).toMatchObject({ tuner_type: 'R820T', tuner_gain_count: 29 });
    const tone = dominantTone(capture.samples, rate);
    expect(tone.frequencyHz).toBe(-30_000);
    expect(tone.amplitude).toBeCloseTo(0.8, 2);
    // Wall-clock capture: the peer paces samples in real time.
    expect(capture.captureMs).toBeGreaterThan(400);
    await waitFor(async () => peer.openConnections() === 0);
  });

  it('fails readably on a stall, a drop, a refused rate and a server that is not rtl_tcp', async () => {
    const tone = { offsetHz: 1000, amplitude: 0.5 };
    const cases = [
      [{ behaviour: 'stall' as const }, /stalled: no samples for 400 ms/],
      [{ behaviour: 'drop' as const }, /the receiver closed the connection after \d+ of 120000 samples/],
      [{ maxRate: 200_000 }, /the receiver closed the connection after 0 of 120000 samples/],
      [{ behaviour: 'not-rtl' as const }, /not an rtl_tcp server/],
    ] as const;
    for (const [options, message] of cases) {
      const peer = await startRtlTcpPeer({ tone, ...options });
      closers.push(peer.close);
      await expect(rtlTcpSource(LIMITS).acquire(request(peer.port))).rejects.toThrow(message);
      await waitFor(async () => peer.openConnections() === 0);
    }
  });

  it('fails when nothing listens', async () => {
    const peer = await startRtlTcpPeer({ tone: { offsetHz: 0, amplitude: 0 } });
    await peer.close();
    await expect(rtlTcpSource(LIMITS).acquire(request(peer.port))).rejects.toThrow('connection failed: ECONNREFUSED');
  });
});

describe('KiwiSDR source', () => {
  it('authenticates, sets IQ mode and frequency, keeps alive, and decodes the tone at the receiver rate', async () => {
    const peer = await startKiwiPeer({ tone: { offsetHz: 1500, amplitude: 0.5 }, password: 'sesame', rssiDbm: -73 });
    closers.push(peer.close);
    const capture = await kiwisdrSource(LIMITS).acquire(
      request(peer.port, { durationMs: 1_500, address: { host: '127.0.0.1', port: peer.port, password: 'sesame' } }),
    );
    expect(peer.commands[0]).toBe('SET auth t=kiwi p=sesame');
    expect(peer.commands).toContain('SET AR OK in=12000 out=44100');
    expect(peer.commands).toContain('SET mod=iq low_cut=-5000 high_cut=5000 freq=7100.000');
    expect(peer.commands.filter((c) => c === 'SET keepalive').length).toBeGreaterThanOrEqual(2);
    // The rate is the receiver's own (12 kHz), whatever was asked: 1.5 s of it.
    expect(capture.sampleRate).toBe(12_000);
    expect(capture.samples.length).toBe(2 * 18_000);
    const tone = dominantTone(capture.samples, 12_000);
    expect(tone.frequencyHz).toBe(1500);
    expect(tone.amplitude).toBeCloseTo(0.5, 3);
    expect(capture.reported).toMatchObject({
      server_version: '1.560',
      sample_rate_reported: 12_000,
      rssi_dbm_mean: -73,
      missed_frames: 0,
      gps_time_first_frame: { ...KIWI_GPS, last_gps_solution: 3 },
    });
    await waitFor(async () => peer.openConnections() === 0);
  });

  it('refuses busy, bad password, wrong rate, stall and drop with readable reasons', async () => {
    const tone = { offsetHz: 1000, amplitude: 0.5 };
    const cases = [
      [{ behaviour: 'busy' as const }, {}, /busy: all 4 client slots taken/],
      [{ password: 'right' }, { password: 'wrong' }, /bad password/],
      [{ sampleRate: 96_000 }, {}, /wrong rate: the receiver reports 96000.000 Hz/],
      [{ behaviour: 'stall' as const }, {}, /stalled: no samples for 400 ms/],
      [{ behaviour: 'drop' as const }, {}, /the receiver closed the connection after \d+ of 12000 samples/],
    ] as const;
    for (const [options, address, message] of cases) {
      const peer = await startKiwiPeer({ tone, ...options });
      closers.push(peer.close);
      const req = request(peer.port, {
        durationMs: 1_000,
        maxSampleRate: 20_250,
        address: { host: '127.0.0.1', port: peer.port, ...address },
      });
      await expect(kiwisdrSource(LIMITS).acquire(req)).rejects.toThrow(message);
      await waitFor(async () => peer.openConnections() === 0);
    }
  });

  it('closes the connection within a second of an abort', async () => {
    const peer = await startKiwiPeer({ tone: { offsetHz: 0, amplitude: 0.1 } });
    closers.push(peer.close);
    const abort = new AbortController();
    const capture = kiwisdrSource(LIMITS).acquire(request(peer.port, { durationMs: 30_000, signal: abort.signal }));
    await waitFor(async () => peer.commands.some((c) => c.startsWith('SET mod=iq')));
    const t0 = performance.now();
    abort.abort(new Error('cancelled'));
    await expect(capture).rejects.toThrow('cancelled');
    await waitFor(async () => peer.openConnections() === 0);
    expect(performance.now() - t0).toBeLessThan(1_000);
  });

  it('parses MSG pairs, with and without values', () => {
    expect([...parseKiwiMsg('badp=0 version_maj=1 monitor')]).toEqual([
      ['badp', '0'],
      ['version_maj', '1'],
      ['monitor', null],
    ]);
  });
});
