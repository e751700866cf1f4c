import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createMetricsRegistry } from '@pulse/runtime';
import { handleAcquisition } from '../src/handle-acquisition-requested';
import { acquisitionMetrics } from '../src/metrics';
import type { AcquisitionResult } from '@pulse/acquisitions';
import { generateSamples, receiverProfile } from '../src/sources/synthetic-source';
import {
  failingPuts,
  openWorkerEnv,
  RECEIVERS,
  readObject,
  sourceWithOffline,
  testContext,
  type WorkerEnv,
} from './env';
import { bytesOf, PYTHON, readNpy } from './npy-reader';

let env: WorkerEnv;
const tmp = mkdtempSync(path.join(tmpdir(), 'acq-test-'));

beforeAll(async () => {
  env = await openWorkerEnv();
});
afterAll(async () => {
  await env.dispose();
  rmSync(tmp, { recursive: true, force: true });
});

const task = (id: string) => env.db.prisma.acquisitionTask.findUniqueOrThrow({ where: { id } });
const keyOf = (taskId: string, receiverId: string, suffix: '.npy' | '_metadata.json') =>
  `sessions/${taskId}/websdr_${receiverId}${suffix}`;

describe('a successful acquisition', () => {
  let taskId: string;
  const sampleRate = 48_000;
  const durationMs = 125; // 6000 complex samples per receiver
  const sampleCount = 6000;

  beforeAll(async () => {
    taskId = await env.createTask({ durationMs, sampleRate, frequencyHz: 14_200_000 });
    const ctx = testContext();
    await handleAcquisition(env.deps(), { taskId }, ctx);
    expect(ctx.workingCalls).toBeGreaterThanOrEqual(RECEIVERS.length);
  });

  it('finishes as SUCCESS with every receiver in the result, in request order', async () => {
    const row = await task(taskId);
    expect(row).toMatchObject({ state: 'SUCCESS', current: 7, total: 7, successful: 7, failed: 0, error: null });
    expect(row.finishedAt).toBeInstanceOf(Date);
    const result = row.result as AcquisitionResult;
    expect(result).toMatchObject({ status: 'SUCCESS', total: 7, successful: 7, failed: 0, errors: [] });
    expect(result.stored_measurements.map((m) => m.receiverId)).toEqual(RECEIVERS);
  });

  it('stores .npy files that the independent reader parses into the seeded samples', async () => {
    for (const receiverId of RECEIVERS) {
      const file = await readObject(env.storage, env.bucket, keyOf(taskId, receiverId, '.npy'));
      const npy = readNpy(file);
      expect(npy).toMatchObject({ major: 1, minor: 0, descr: '<c8', fortranOrder: false, shape: [sampleCount] });
      expect(npy.dataOffset % 64).toBe(0);
      const expected = await generateSamples({ taskId, receiverId, sampleRate, sampleCount });
      expect(bytesOf(npy.values).equals(bytesOf(expected))).toBe(true);
    }
  });

  it('stores files numpy.load reads as complex64 with the seeded values', async () => {
    const receiverId = 'hackgreen';
    const local = path.join(tmp, `${receiverId}.npy`);
    writeFileSync(local, await readObject(env.storage, env.bucket, keyOf(taskId, receiverId, '.npy')));
    const script =
      'import hashlib, numpy, sys\na = numpy.load(sys.argv[1])\nprint(a.dtype, a.shape, hashlib.sha256(a.tobytes()).hexdigest())';
    const out = execFileSync(PYTHON, ['-c', script, local], { encoding: 'utf8' }).trim().split(' ');
    const expected = await generateSamples({ taskId, receiverId, sampleRate, sampleCount });
    expect(out).toEqual([
      'complex64',
      `(${sampleCount},)`,
      createHash('sha256').update(bytesOf(expected)).digest('hex'),
    ]);
  });

  it('writes metadata JSON that matches the .npy, and the same facts as x-amz-meta headers', async () => {
    for (const receiverId of RECEIVERS) {
      const npy = await readObject(env.storage, env.bucket, keyOf(taskId, receiverId, '.npy'));
      const sha256 = createHash('sha256').update(npy).digest('hex');
      const meta = JSON.parse(
        (await readObject(env.storage, env.bucket, keyOf(taskId, receiverId, '_metadata.json'))).toString(),
      );
      expect(meta).toMatchObject({
        task_id: taskId,
        receiver_id: receiverId,
        frequency_hz: 14_200_000,
        sample_rate: sampleRate,
        sample_count: sampleCount,
        dtype: 'complex64',
        npy_size: npy.length,
        npy_sha256: sha256,
        snr_db_reported: receiverProfile(receiverId, sampleRate).snrDb,
      });
      expect(Math.abs(meta.snr_db_estimate - meta.snr_db_reported)).toBeLessThan(2);
      expect(Date.parse(meta.ended_at)).toBeGreaterThanOrEqual(Date.parse(meta.started_at));

      const head = await env.storage.head(env.bucket, keyOf(taskId, receiverId, '.npy'));
      expect(head?.size).toBe(npy.length);
      expect(head?.metadata).toMatchObject({
        'frequency-hz': '14200000',
        'sample-rate': String(sampleRate),
        'sample-count': String(sampleCount),
        receiver: receiverId,
        sha256,
      });
    }
  });

  it('records measurements and ready artifact_files rows under one acquisition artifact', async () => {
    const row = await task(taskId);
    const measurements = await env.db.prisma.measurement.findMany({ where: { taskId } });
    expect(measurements).toHaveLength(7);
    const files = await env.db.prisma.artifactFile.findMany({ where: { artifactId: row.artifactId! } });
    expect(files).toHaveLength(14);
    expect(new Set(files.map((f) => f.status))).toEqual(new Set(['ready']));
    expect(files.every((f) => f.ownerId === env.userId && f.bucket === env.bucket)).toBe(true);
    const artifact = await env.db.prisma.artifact.findUniqueOrThrow({ where: { id: row.artifactId! } });
    expect(artifact).toMatchObject({ kind: 'acquisition', ownerId: env.userId, title: 'IQ acquisition at 14.2 MHz' });
    for (const m of measurements) {
      const npyFile = files.find((f) => f.id === m.npyFileId)!;
      expect(npyFile).toMatchObject({
        objectKey: keyOf(taskId, m.receiverId, '.npy'),
        sha256: m.npySha256,
        sizeBytes: m.npySize,
      });
      expect(npyFile.originalFilename).toBe(`websdr_${m.receiverId}.npy`);
      expect(files.find((f) => f.id === m.metadataFileId)?.contentType).toBe('application/json');
    }
  });

  it('reports progress up to the total', () => {
    const events = env.progress.filter((p) => p.taskId === taskId);
    expect(events[0]).toMatchObject({ current: 0, total: 7 });
    expect(events.at(-1)).toEqual({ taskId, userId: env.userId, current: 7, total: 7, successful: 7, failed: 0 });
    expect(events.map((e) => e.current)).toEqual([...events.map((e) => e.current)].sort((a, b) => a - b));
  });

  it('acks a redelivery of the finished task without storing anything again', async () => {
    const before = await env.db.prisma.artifactFile.findMany({
      where: { objectKey: { startsWith: `sessions/${taskId}/` } },
    });
    await handleAcquisition(env.deps(), { taskId }, testContext(2));
    const after = await env.db.prisma.artifactFile.findMany({
      where: { objectKey: { startsWith: `sessions/${taskId}/` } },
    });
    expect(after.map((f) => [f.id, f.updatedAt.getTime()]).sort()).toEqual(
      before.map((f) => [f.id, f.updatedAt.getTime()]).sort(),
    );
    expect(env.logs.events('acquisition_skipped').some((e) => e.taskId === taskId)).toBe(true);
  });

  it('never logs object keys', () => {
    expect(env.logs.text).not.toContain(`sessions/${taskId}`);
  });
});

describe('failures', () => {
  it('a receiver that throws and uploads that fail give PARTIAL_FAILURE; the others are stored', async () => {
    const taskId = await env.createTask();
    const storage = failingPuts(
      env.storage,
      (key) => key === keyOf(taskId, 'dk-sdr', '.npy') || key === keyOf(taskId, 'fr-f4kmn', '_metadata.json'),
    );
    const registry = createMetricsRegistry('acquisition-test');
    const metrics = acquisitionMetrics(registry);
    await handleAcquisition(
      env.deps({ storage, metrics, source: sourceWithOffline(['kiwi-de']) }),
      { taskId },
      testContext(),
    );

    const row = await task(taskId);
    expect(row).toMatchObject({ state: 'PARTIAL_FAILURE', current: 7, total: 7, successful: 4, failed: 3 });
    const result = row.result as AcquisitionResult;
    expect(result).toMatchObject({ status: 'PARTIAL_FAILURE', successful: 4, failed: 3 });
    expect(result.errors).toEqual([
      { receiverId: 'kiwi-de', message: 'receiver kiwi-de did not answer' },
      { receiverId: 'dk-sdr', message: expect.stringContaining('Unavailable') },
      { receiverId: 'fr-f4kmn', message: expect.stringContaining('Unavailable') },
    ]);
    const ok = ['twente', 'hackgreen', 'nl-utwente', 'pl-szczecin'];
    expect(result.stored_measurements.map((m) => m.receiverId)).toEqual(ok);
    for (const receiverId of ok) {
      expect(await env.storage.exists(env.bucket, keyOf(taskId, receiverId, '.npy'))).toBe(true);
      expect(await env.storage.exists(env.bucket, keyOf(taskId, receiverId, '_metadata.json'))).toBe(true);
    }
    // Half a pair is removed again: no object stays behind without a row.
    expect(await env.storage.exists(env.bucket, keyOf(taskId, 'fr-f4kmn', '.npy'))).toBe(false);
    expect(await env.storage.exists(env.bucket, keyOf(taskId, 'dk-sdr', '_metadata.json'))).toBe(false);
    expect(await env.db.prisma.measurement.count({ where: { taskId } })).toBe(4);
    expect(
      await env.db.prisma.artifactFile.count({ where: { objectKey: { startsWith: `sessions/${taskId}/` } } }),
    ).toBe(8);
    expect(env.progress.filter((p) => p.taskId === taskId).at(-1)).toMatchObject({
      current: 7,
      successful: 4,
      failed: 3,
    });
    const exposition = await registry.metrics();
    expect(exposition).toMatch(/pulse_acquisition_receivers_total\{[^}]*outcome="stored"[^}]*\} 4\n/);
    expect(exposition).toMatch(/pulse_acquisition_receivers_total\{[^}]*outcome="failed"[^}]*\} 3\n/);
    expect(exposition).toMatch(
      /pulse_acquisition_task_duration_seconds_count\{[^}]*status="PARTIAL_FAILURE"[^}]*\} 1\n/,
    );
  });

  it('every receiver failing gives FAILED', async () => {
    const taskId = await env.createTask({ receivers: ['twente', 'kiwi-de'] });
    await handleAcquisition(env.deps({ source: sourceWithOffline(['twente', 'kiwi-de']) }), { taskId }, testContext());
    expect(await task(taskId)).toMatchObject({ state: 'FAILED', successful: 0, failed: 2 });
  });

  it('refuses a task over the sample limit as a permanent error', async () => {
    const taskId = await env.createTask({ durationMs: 10_000, sampleRate: 2_400_000 });
    const deps = env.deps({ settings: { ...env.config.app, maxSamples: 1_000_000 } });
    await expect(handleAcquisition(deps, { taskId }, testContext())).rejects.toMatchObject({ name: 'PermanentError' });
  });

  it('a missing task is a permanent error', async () => {
    await expect(
      handleAcquisition(env.deps(), { taskId: '00000000-0000-4000-8000-000000000000' }, testContext()),
    ).rejects.toMatchObject({ name: 'PermanentError' });
  });
});

describe('redelivery of an interrupted task', () => {
  it('resumes with the receivers not stored yet and duplicates nothing', async () => {
    const taskId = await env.createTask();
    // First attempt: the worker is stopped after three receivers are stored.
    const stop = new AbortController();
    let stored = 0;
    const storage = new Proxy(env.storage, {
      get(target, prop) {
        if (prop === 'put') {
          return (async (...args: Parameters<typeof target.put>) => {
            const out = await target.put(...args);
            if (args[1].endsWith('_metadata.json') && ++stored === 3) stop.abort(new Error('SIGTERM'));
            return out;
          }) as typeof target.put;
        }
        const value = Reflect.get(target, prop) as unknown;
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
    // One receiver at a time, so the stop lands after exactly three: with all seven in flight the others
    // could finish before the abort is seen, and there would be nothing left to resume.
    const oneAtATime = { ...env.deps().settings, receiverConcurrency: 1 };
    await expect(
      handleAcquisition(env.deps({ storage, settings: oneAtATime }), { taskId }, testContext(1, stop.signal)),
    ).rejects.toThrow();
    const interrupted = await task(taskId);
    expect(interrupted.state).toBe('RUNNING');
    const storedFirst = await env.db.prisma.measurement.findMany({ where: { taskId } });
    // The stop comes as the third receiver's files land: its row may or may not have been written.
    expect([2, 3]).toContain(storedFirst.length);

    await handleAcquisition(env.deps(), { taskId }, testContext(2));
    const row = await task(taskId);
    expect(row).toMatchObject({ state: 'SUCCESS', current: 7, successful: 7, failed: 0 });
    const measurements = await env.db.prisma.measurement.findMany({ where: { taskId } });
    expect(measurements).toHaveLength(7);
    // The receivers stored by the first attempt kept their rows.
    for (const m of storedFirst) expect(measurements.find((x) => x.receiverId === m.receiverId)?.id).toBe(m.id);
    expect(
      await env.db.prisma.artifactFile.count({ where: { objectKey: { startsWith: `sessions/${taskId}/` } } }),
    ).toBe(14);
    expect(await env.db.prisma.artifact.count({ where: { ownerId: env.userId, id: row.artifactId! } })).toBe(1);
  });
});
