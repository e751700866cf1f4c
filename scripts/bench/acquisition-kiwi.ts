// IQ acquisition from real protocols: 7 emulated KiwiSDR receivers (the worker's test peers, speaking the
// SND stream over WebSocket on loopback) × 10 s at 12 kHz, captured at once by the acquisition-worker
// handler. Measured: the storage tail, from the last sample received to the task's SUCCESS, against a
// reference in the same run: plain parallel PutObjects (bare SDK) of the same bytes the worker stored
// (.npy and metadata JSON). Target: tail <= 1.2 × reference. Peak RSS of the whole process is reported.
//   node --import tsx scripts/bench/acquisition-kiwi.ts [--reps 5]
import os from 'node:os';
import { parseArgs } from 'node:util';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { createReceiver } from '@pulse/acquisitions';
import { loadConfig } from '@pulse/config';
import { createDb } from '@pulse/db';
import { createLogger } from '@pulse/logger';
import { createStorage, measurementObjectKeys } from '@pulse/storage';
import { createTestDatabase, NATS_URL, uniqueName } from '@pulse/testing';
import { acquisitionWorkerConfigShape } from '../../apps/acquisition-worker/src/config';
import { handleAcquisition } from '../../apps/acquisition-worker/src/handle-acquisition-requested';
import { kiwisdrSource } from '../../apps/acquisition-worker/src/sources/kiwisdr-source';
import type { ReceiverSource } from '../../apps/acquisition-worker/src/sources/receiver-source';
import { type KiwiPeer, startKiwiPeer } from '@pulse/testing/receiver-peers';
import { benchLogFile, median, progress, rgwEnv, rssSampler, writeSection } from './lib';
import { plainS3Client } from './plain-s3';

const { values } = parseArgs({ options: { reps: { type: 'string', default: '5' } } });
const REPS = Number(values.reps);
const RECEIVERS = 7;
const DURATION_MS = 10_000;
const log = (msg: string) => progress('acquisition-kiwi', msg);

async function main(): Promise<void> {
  const database = await createTestDatabase('pulse_bench_kiwi');
  const config = loadConfig(acquisitionWorkerConfigShape, {
    ...process.env,
    ...rgwEnv(),
    DATABASE_URL: database.url,
    NATS_URL,
    S3_BUCKET_RAW_IQ: uniqueName('bench-kiwi').replace(/_/g, '-').slice(0, 63),
    LOG_LEVEL: 'info',
  });
  const workerLog = benchLogFile('acquisition-kiwi');
  const logger = createLogger({ name: 'bench-acquisition-kiwi', level: 'info', destination: workerLog.destination });
  const db = createDb(config.db);
  const storage = createStorage({ config: config.s3, logger });
  const bucket = config.s3.buckets.rawIq;
  await storage.ensureBucket(bucket);
  const s3 = plainS3Client(config.s3);
  const user = await db.prisma.user.create({ data: { email: `${uniqueName('bench')}@bench.local`, name: 'Bench' } });
  const peers: KiwiPeer[] = [];
  const ids: string[] = [];
  for (let i = 0; i < RECEIVERS; i++) {
    const peer = await startKiwiPeer({ tone: { offsetHz: 500 + 250 * i, amplitude: 0.5 } });
    peers.push(peer);
    ids.push(`kiwi-${i + 1}`);
    await createReceiver(db, { id: ids[i]!, name: ids[i]!, kind: 'kiwisdr', host: '127.0.0.1', port: peer.port });
  }
  // The real KiwiSDR source, timed: the moment its last sample arrives is where the storage tail starts.
  let lastSampleAt = 0;
  const real = kiwisdrSource(config.app.receiverLimits);
  const timed: ReceiverSource = {
    name: real.name,
    async acquire(request) {
      const capture = await real.acquire(request);
      lastSampleAt = Math.max(lastSampleAt, performance.now());
      return capture;
    },
  };
  const deps = {
    db,
    storage,
    logger,
    bucket,
    source: timed,
    sources: { kiwisdr: timed },
    settings: config.app,
    bus: { emit: () => undefined },
  };
  const ctx = { deliveryCount: 1, signal: new AbortController().signal, working: () => undefined };
  const tails: number[] = [];
  const references: number[] = [];
  let storedBytes = 0;
  const rss = rssSampler();
  const loadBefore = (os.loadavg()[0] ?? 0).toFixed(1);
  log(`receivers=${RECEIVERS} × ${DURATION_MS / 1000} s at 12 kHz, reps=${REPS} (+1 warm-up)`);
  for (let rep = 0; rep <= REPS; rep++) {
    const task = await db.prisma.acquisitionTask.create({
      data: {
        userId: user.id,
        frequencyHz: 7_100_000n,
        durationMs: DURATION_MS,
        sampleRate: 12_000,
        receivers: ids,
        total: ids.length,
      },
    });
    lastSampleAt = 0;
    await handleAcquisition(deps, { taskId: task.id }, ctx);
    const tail = performance.now() - lastSampleAt;
    const state = (await db.prisma.acquisitionTask.findUniqueOrThrow({ where: { id: task.id } })).state;
    if (state !== 'SUCCESS') throw new Error(`worker run ended ${state}`);
    // The reference stores exactly the bytes the worker stored, with the bare SDK, all at once.
    const objects: { key: string; body: Buffer; type: string }[] = [];
    for (const id of ids) {
      const keys = measurementObjectKeys(task.id, id);
      for (const [key, type] of [
        [keys.npy, 'application/octet-stream'],
        [keys.metadata, 'application/json'],
      ] as const) {
        const { body } = await storage.get(bucket, key);
        const chunks: Buffer[] = [];
        for await (const c of body) chunks.push(c as Buffer);
        objects.push({
          key: `sessions/ref-${uniqueName('r')}/${key.split('/').pop()}`,
          body: Buffer.concat(chunks),
          type,
        });
      }
    }
    storedBytes = objects.reduce((n, o) => n + o.body.length, 0);
    const t0 = performance.now();
    await Promise.all(
      objects.map((o) =>
        s3.send(
          new PutObjectCommand({
            Bucket: bucket,
            Key: o.key,
            Body: o.body,
            ContentLength: o.body.length,
            ContentType: o.type,
          }),
        ),
      ),
    );
    const reference = performance.now() - t0;
    if (rep > 0) {
      tails.push(tail);
      references.push(reference);
      log(`  rep ${rep}/${REPS}: tail ${tail.toFixed(0)} ms, reference ${reference.toFixed(0)} ms`);
    }
  }
  const peakRss = rss.stop();
  const tail = median(tails);
  const reference = median(references);
  const ratio = tail / reference;
  const markdown = `## Acquisition from 7 emulated KiwiSDRs × 10 s (\`pnpm bench:acquisition\`, second part)

Seven KiwiSDR test peers on loopback (the worker's protocol peers: WebSocket SND stream, 12 kHz IQ frames paced
in real time) captured at once by the acquisition-worker handler with its real KiwiSDR source, 10 s each
(120 000 complex samples, a ${((128 + 120_000 * 8) / 1024).toFixed(0)} KiB .npy per receiver). Measured: the **storage tail**, from the
moment the last receiver's last sample arrived to the task's SUCCESS (encode, sha256, PUT .npy + metadata,
rows, result), against a reference in the same run: parallel plain \`PutObject\`s with the bare SDK of the very
bytes the worker stored (${RECEIVERS * 2} objects, ${(storedBytes / 1024 / 1024).toFixed(1)} MB). ${REPS} runs after one warm-up, median shown.

| receivers × duration | storage tail (worker) | reference (plain PutObject, same bytes) | tail / reference | peak RSS (whole process, peers included) |
|---|---:|---:|---:|---:|
| 7 × 10 s at 12 kHz | ${tail.toFixed(0)} ms | ${reference.toFixed(0)} ms | **${ratio.toFixed(2)}×** | ${(peakRss / 1024 / 1024).toFixed(0)} MB |

Target: tail <= 1.2× the reference (${ratio <= 1.2 ? 'met' : '**not met**'}; per run ${tails.map((t, i) => `${(t / references[i]!).toFixed(2)}×`).join(', ')}). Load average ${loadBefore} before, ${(os.loadavg()[0] ?? 0).toFixed(1)} after
(2 shared cores: the peers, the worker, RGW and PostgreSQL all run on them). Samples are written into the .npy
buffer as frames arrive, so the capture itself holds 7 × 0.9 MB here; a 7 × 60 s capture holds about 40 MB.`;
  writeSection('acquisition-kiwi', markdown);
  log(
    `done: tail ${tail.toFixed(0)} ms vs reference ${reference.toFixed(0)} ms (${ratio.toFixed(2)}×), peak RSS ${(peakRss / 1024 / 1024).toFixed(0)} MB`,
  );
  for (const p of peers) await p.close();
  storage.close();
  await db.close();
  await database.drop();
}

await main();
