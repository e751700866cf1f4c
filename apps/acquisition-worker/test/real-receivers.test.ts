import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { cancelTask, createReceiver, listReceivers } from '@pulse/acquisitions';
import { waitFor } from '@pulse/testing';
import { measurementObjectKeys } from '@pulse/storage';
import { Cancellations } from '../src/cancellations';
import { handleAcquisition } from '../src/handle-acquisition-requested';
import type { AcquisitionResult } from '@pulse/acquisitions';
import { kiwisdrSource } from '../src/sources/kiwisdr-source';
import { rtlTcpSource } from '../src/sources/rtl-tcp-source';
import { openWorkerEnv, readObject, testContext, type WorkerEnv } from './env';
import { PYTHON, readNpy } from './npy-reader';
import {
  type KiwiPeer,
  startKiwiPeer,
  type RtlTcpPeer,
  startRtlTcpPeer,
  dominantTone,
} from '@pulse/testing/receiver-peers';

const LIMITS = { connectTimeoutMs: 3_000, stallTimeoutMs: 500 };

describe('a capture from emulated KiwiSDR and rtl_tcp receivers', () => {
  let env: WorkerEnv;
  let peers: (KiwiPeer | RtlTcpPeer)[];
  let taskId: string;
  let result: AcquisitionResult;
  const tmp = mkdtempSync(path.join(tmpdir(), 'pulse-real-'));

  beforeAll(async () => {
    env = await openWorkerEnv();
    const kiwiA = await startKiwiPeer({ tone: { offsetHz: 1500, amplitude: 0.5 }, password: 'pw-a', rssiDbm: -80 });
    const kiwiB = await startKiwiPeer({ tone: { offsetHz: -750, amplitude: 0.25 }, sampleRate: 20_250 });
    const busy = await startKiwiPeer({ tone: { offsetHz: 0, amplitude: 0 }, behaviour: 'busy' });
    const stall = await startKiwiPeer({ tone: { offsetHz: 0, amplitude: 0.1 }, behaviour: 'stall' });
    const rtl = await startRtlTcpPeer({ tone: { offsetHz: 6_000, amplitude: 0.7 } });
    peers = [kiwiA, kiwiB, busy, stall, rtl];
    const kiwi = (id: string, port: number, extra = {}) =>
      createReceiver(env.db, { id, name: id, kind: 'kiwisdr', host: '127.0.0.1', port, ...extra });
    await kiwi('kiwi-a', kiwiA.port, { passwordRef: 'env:KIWI_A_PASSWORD' });
    await kiwi('kiwi-b', kiwiB.port);
    await kiwi('kiwi-busy', busy.port);
    await kiwi('kiwi-stall', stall.port);
    await createReceiver(env.db, { id: 'rtl', name: 'rtl', kind: 'rtl_tcp', host: '127.0.0.1', port: rtl.port });
    taskId = await env.createTask({
      receivers: ['kiwi-a', 'kiwi-b', 'kiwi-busy', 'kiwi-stall', 'rtl'],
      durationMs: 1_000,
      sampleRate: 48_000,
      frequencyHz: 7_100_000,
    });
    const deps = env.deps({
      sources: { kiwisdr: kiwisdrSource(LIMITS), rtl_tcp: rtlTcpSource(LIMITS) },
      secret: (ref) => (ref === 'env:KIWI_A_PASSWORD' ? 'pw-a' : undefined),
    });
    await handleAcquisition(deps, { taskId }, testContext());
    const row = await env.db.prisma.acquisitionTask.findUniqueOrThrow({ where: { id: taskId } });
    result = row.result as AcquisitionResult;
  });
  afterAll(async () => {
    for (const p of peers) await p.close();
    await env.dispose();
    rmSync(tmp, { recursive: true, force: true });
  });

  it('ends PARTIAL_FAILURE: the refusing and stalling receivers fail alone, with readable reasons', () => {
    expect(result.status).toBe('PARTIAL_FAILURE');
    expect(result.stored_measurements.map((m) => m.receiverId)).toEqual(['kiwi-a', 'kiwi-b', 'rtl']);
    expect(result.errors).toEqual([
      { receiverId: 'kiwi-busy', message: 'busy: all 4 client slots taken' },
      { receiverId: 'kiwi-stall', message: 'stalled: no samples for 500 ms' },
    ]);
  });

  it('captures all receivers at once, for the wall-clock duration, and reports setup and capture time', () => {
    expect(result.timings.map((t) => [t.receiverId, t.kind, t.sampleRate])).toEqual([
      ['kiwi-a', 'kiwisdr', 12_000],
      ['kiwi-b', 'kiwisdr', 20_250],
      ['rtl', 'rtl_tcp', 48_000],
    ]);
    for (const t of result.timings) {
      expect(t.captureMs).toBeGreaterThanOrEqual(900);
      expect(t.setupMs).toBeGreaterThanOrEqual(0);
    }
  });

  it('stores .npy files numpy loads with each tone where its peer put it', async () => {
    const expected = [
      ['kiwi-a', 12_000, 1500, 0.5],
      ['kiwi-b', 20_250, -750, 0.25],
      ['rtl', 48_000, 6_000, 0.7],
    ] as const;
    for (const [receiverId, rate, offsetHz, amplitude] of expected) {
      const file = await readObject(env.storage, env.bucket, measurementObjectKeys(taskId, receiverId).npy);
      const npy = readNpy(file);
      expect(npy.shape).toEqual([rate]); // one second at the receiver's rate
      // Bins of rate/4096 Hz: the nearest bin to the tone, at its amplitude (within a bin's leakage).
      const tone = dominantTone(npy.values, rate);
      expect(Math.abs(tone.frequencyHz - offsetHz)).toBeLessThanOrEqual(rate / 4096 / 2);
      expect(tone.amplitude).toBeGreaterThan(amplitude * 0.6);
      expect(tone.amplitude).toBeLessThan(amplitude * 1.01);
      const local = path.join(tmp, `${receiverId}.npy`);
      writeFileSync(local, file);
      const script = [
        'import numpy, sys',
        'a = numpy.load(sys.argv[1]); n = 4096; x = numpy.fft.fft(a[:n]); k = int(numpy.argmax(abs(x)))',
        `print(a.dtype, round(float(numpy.fft.fftfreq(n, 1 / ${rate})[k])))`,
      ].join('\n');
      const out = execFileSync(PYTHON, ['-c', script, local], { encoding: 'utf8' }).trim();
      expect(out).toBe(`complex64 ${Math.round(tone.frequencyHz)}`);
    }
  });

  it('records in the metadata JSON what the receiver reported', async () => {
    const meta = JSON.parse(
      (await readObject(env.storage, env.bucket, measurementObjectKeys(taskId, 'kiwi-a').metadata)).toString(),
    );
    expect(meta).toMatchObject({
      source: 'kiwisdr',
      sample_rate: 12_000,
      requested_sample_rate: 48_000,
      sample_count: 12_000,
      receiver_reported: {
        server_version: '1.560',
        sample_rate_reported: 12_000,
        rssi_dbm_mean: -80,
        gps_time_first_frame: { gpssec: 345_600, gpsnsec: 250_000_000 },
      },
    });
    expect(JSON.stringify(meta)).not.toContain('pw-a');
  });

  it('marks receivers online or failing in the registry, and leaves no connection open', async () => {
    const status = Object.fromEntries((await listReceivers(env.db)).map((r) => [r.id, [r.status, r.lastError]]));
    expect(status).toMatchObject({
      'kiwi-a': ['online', null],
      rtl: ['online', null],
      'kiwi-busy': ['failing', 'busy: all 4 client slots taken'],
    });
    for (const p of peers) expect(p.openConnections()).toBe(0);
  });
});

describe('cancelling a capture', () => {
  it('closes every connection within a second and stores nothing', async () => {
    const env = await openWorkerEnv();
    const kiwi = await startKiwiPeer({ tone: { offsetHz: 1000, amplitude: 0.5 } });
    const rtl = await startRtlTcpPeer({ tone: { offsetHz: 1000, amplitude: 0.5 } });
    try {
      await createReceiver(env.db, { id: 'kiwi', name: 'kiwi', kind: 'kiwisdr', host: '127.0.0.1', port: kiwi.port });
      await createReceiver(env.db, { id: 'rtl', name: 'rtl', kind: 'rtl_tcp', host: '127.0.0.1', port: rtl.port });
      const taskId = await env.createTask({ receivers: ['kiwi', 'rtl'], durationMs: 30_000, sampleRate: 48_000 });
      const cancellations = new Cancellations();
      const deps = env.deps({
        sources: { kiwisdr: kiwisdrSource(LIMITS), rtl_tcp: rtlTcpSource(LIMITS) },
        cancellations,
      });
      const running = handleAcquisition(deps, { taskId }, testContext());
      await waitFor(async () => kiwi.commands.some((c) => c.startsWith('SET mod=iq')) && rtl.commands.length >= 3);
      const t0 = performance.now();
      // What the API route does: the state of record first, then the event every worker hears.
      expect(await cancelTask(env.db, { taskId, userId: env.userId })).toEqual({ cancelled: true });
      expect(cancellations.cancel(taskId)).toBe(true);
      await running;
      await waitFor(async () => kiwi.openConnections() === 0 && rtl.openConnections() === 0);
      expect(performance.now() - t0).toBeLessThan(1_000);
      const task = await env.db.prisma.acquisitionTask.findUniqueOrThrow({ where: { id: taskId } });
      expect(task.state).toBe('CANCELLED');
      expect(await env.db.prisma.measurement.count({ where: { taskId } })).toBe(0);
      const objects: string[] = [];
      for await (const o of env.storage.list(env.bucket)) objects.push(o.key);
      expect(objects).toEqual([]);
      // Neither receiver is blamed for it.
      expect((await listReceivers(env.db)).map((r) => r.status)).toEqual(['unknown', 'unknown']);
    } finally {
      await kiwi.close();
      await rtl.close();
      await env.dispose();
    }
  });

  it('hangs up even when the cancel event was lost: the worker sees the cancelled state', async () => {
    const env = await openWorkerEnv();
    const kiwi = await startKiwiPeer({ tone: { offsetHz: 1000, amplitude: 0.5 } });
    try {
      await createReceiver(env.db, { id: 'kiwi', name: 'kiwi', kind: 'kiwisdr', host: '127.0.0.1', port: kiwi.port });
      const taskId = await env.createTask({ receivers: ['kiwi'], durationMs: 30_000, sampleRate: 48_000 });
      const deps = env.deps({ sources: { kiwisdr: kiwisdrSource(LIMITS) }, cancellations: new Cancellations(100) });
      const running = handleAcquisition(deps, { taskId }, testContext());
      await waitFor(async () => kiwi.commands.some((c) => c.startsWith('SET mod=iq')));
      // Only the state of record changes: no event reaches this worker.
      expect(await cancelTask(env.db, { taskId, userId: env.userId })).toEqual({ cancelled: true });
      await running;
      await waitFor(async () => kiwi.openConnections() === 0);
      expect((await env.db.prisma.acquisitionTask.findUniqueOrThrow({ where: { id: taskId } })).state).toBe(
        'CANCELLED',
      );
      expect(await env.db.prisma.measurement.count({ where: { taskId } })).toBe(0);
    } finally {
      await kiwi.close();
      await env.dispose();
    }
  });
});
