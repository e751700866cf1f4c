// IQ acquisition storage: 7 receivers × 4 MB and 7 × 32 MB stored through the acquisition-worker's
// handler (claim, encode .npy, sha256, SNR estimate, PutObject .npy + metadata with x-amz-meta, DB rows,
// progress, result) against plain parallel PutObject of the same .npy bytes, in the same run.
// Sample generation is done once up front and replayed to both sides: it is the receiver's time, not storage's.
// Targets: worker >= 0.9 × baseline throughput, >= 0.95 × the like-for-like reference (the same 14 objects
// with the plain SDK), and 7 × 4 MB in under 300 ms.
//   node --import tsx scripts/bench/acquisition.ts [--reps 11] [--concurrency 4]
import { randomUUID } from 'node:crypto';
import os from 'node:os';
import { parseArgs } from 'node:util';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { createReceiver } from '@pulse/acquisitions';
import { loadConfig } from '@pulse/config';
import { createDb } from '@pulse/db';
import { createLogger } from '@pulse/logger';
import { createStorage } from '@pulse/storage';
import { createTestDatabase, NATS_URL, uniqueName } from '@pulse/testing';
import { acquisitionWorkerConfigShape } from '../../apps/acquisition-worker/src/config';
import { handleAcquisition } from '../../apps/acquisition-worker/src/handle-acquisition-requested';
import { metadataDocument } from '../../apps/acquisition-worker/src/measurement-files';
import { encodeComplex64Npy } from '../../apps/acquisition-worker/src/npy';
import type { ReceiverSource } from '../../apps/acquisition-worker/src/sources/receiver-source';
import { generateSamples } from '../../apps/acquisition-worker/src/sources/synthetic-source';
import { benchLogFile, median, progress, rgwEnv, rssSampler, writeSection } from './lib';
import { plainS3Client } from './plain-s3';

const { values } = parseArgs({
  options: { reps: { type: 'string', default: '11' }, concurrency: { type: 'string', default: '' } },
});
const REPS = Number(values.reps);
const RECEIVERS = ['twente', 'kiwi-de', 'hackgreen', 'nl-utwente', 'dk-sdr', 'pl-szczecin', 'fr-f4kmn'];
const MiB = 1024 * 1024;
const SIZES = [4 * MiB, 32 * MiB];
const NPY_HEADER = 128; // a 1-D complex64 header at these shapes pads to 128 bytes
const log = (msg: string) => progress('acquisition', msg);

/** A receiver source that hands out captures made earlier (same samples for every task). */
function replaySource(captures: Map<string, Float32Array>): ReceiverSource {
  return {
    name: 'replay',
    async acquire(request) {
      const samples = captures.get(request.receiverId);
      if (!samples) throw new Error(`no capture for ${request.receiverId}`);
      const now = new Date();
      return { samples, sampleRate: request.sampleRate, startedAt: now, endedAt: now, setupMs: 0, captureMs: 0 };
    },
  };
}

interface Row {
  size: number;
  baselineMs: number;
  /** The same plain PUTs plus one metadata JSON per receiver: the 14 objects the worker stores. */
  pairMs: number;
  workerMs: number;
  /** Each rep's like-for-like ratio (reference / worker of the same rep): the spread between runs. */
  pairRatios: number[];
  peakRss: number;
}

async function main(): Promise<void> {
  const database = await createTestDatabase('pulse_bench_acq');
  const config = loadConfig(acquisitionWorkerConfigShape, {
    ...process.env,
    ...rgwEnv(),
    DATABASE_URL: database.url,
    NATS_URL,
    S3_BUCKET_RAW_IQ: uniqueName('bench-iq').replace(/_/g, '-').slice(0, 63),
    LOG_LEVEL: 'info',
    ...(values.concurrency ? { ACQUISITION_RECEIVER_CONCURRENCY: values.concurrency } : {}),
  });
  // Logged at the production level, to a file written the way production writes stdout.
  const workerLog = benchLogFile('acquisition');
  const logger = createLogger({ name: 'bench-acquisition', level: 'info', destination: workerLog.destination });
  const db = createDb(config.db);
  const storage = createStorage({ config: config.s3, logger });
  const bucket = config.s3.buckets.rawIq;
  await storage.ensureBucket(bucket);
  const s3 = plainS3Client(config.s3);
  const user = await db.prisma.user.create({ data: { email: `${uniqueName('bench')}@bench.local`, name: 'Bench' } });
  // The worker captures the receivers its registry names: these replay as synthetic ones.
  for (const id of RECEIVERS) {
    await createReceiver(db, { id, name: id, kind: 'synthetic', maxSampleRate: 3_200_000 });
  }
  const deps = {
    db,
    storage,
    logger,
    bucket,
    settings: config.app,
    bus: { emit: () => undefined },
  };
  // RGW here keeps objects in memory: every round's objects go again, outside the timed part.
  const emptyBucket = async () => {
    const keys: string[] = [];
    for await (const o of storage.list(bucket)) keys.push(o.key);
    await storage.deleteMany(bucket, keys);
  };
  const ctx = { deliveryCount: 1, signal: new AbortController().signal, working: () => undefined };
  const rows: Row[] = [];
  const load1 = () => (os.loadavg()[0] ?? 0).toFixed(1);
  const loadBefore = load1();
  log(`receivers=${RECEIVERS.length} receiverConcurrency=${config.app.receiverConcurrency} reps=${REPS}`);

  for (const size of SIZES) {
    const sampleCount = (size - NPY_HEADER) / 8;
    // Whole seconds at a rate inside the API's limit, chosen so that duration × rate is exactly sampleCount.
    const durationMs = 1000 * Math.ceil(sampleCount / 2_000_000);
    const sampleRate = (sampleCount * 1000) / durationMs;
    if (!Number.isInteger(sampleRate)) throw new Error('pick a size whose sample count divides evenly');
    log(`${size / MiB} MB per receiver: generating ${sampleCount.toLocaleString()} samples × ${RECEIVERS.length}`);
    const captures = new Map<string, Float32Array>();
    for (const receiverId of RECEIVERS) {
      captures.set(receiverId, await generateSamples({ taskId: 'bench', receiverId, sampleRate, sampleCount }));
    }
    const npys = RECEIVERS.map((r) => encodeComplex64Npy(captures.get(r)!));
    if (npys.some((b) => b.length !== size)) throw new Error('unexpected .npy size');
    const workerDeps = { ...deps, source: replaySource(captures) };
    // A metadata document of the size the worker writes, for the like-for-like reference.
    const metadataJson = Buffer.from(
      `${JSON.stringify(
        metadataDocument({
          taskId: randomUUID(),
          receiverId: 'nl-utwente',
          source: 'replay',
          frequencyHz: 7_100_000,
          sampleRate,
          requestedSampleRate: sampleRate,
          sampleCount,
          setupMs: 0,
          captureMs: 0,
          reported: {},
          snrDbEstimate: 12.34,
          snrDbReported: null,
          startedAt: new Date(),
          endedAt: new Date(),
          npySize: size,
          npySha256: 'f'.repeat(64),
        }),
        null,
        2,
      )}\n`,
    );
    const plainPut = (key: string, body: Buffer, contentType: string) =>
      s3.send(
        new PutObjectCommand({
          Bucket: bucket,
          Key: key,
          Body: body,
          ContentLength: body.length,
          ContentType: contentType,
        }),
      );

    const baseline: number[] = [];
    const pair: number[] = [];
    const worker: number[] = [];
    const rss = rssSampler();
    for (let rep = 0; rep < REPS + 1; rep++) {
      // Rotate which side goes first, so none always gets the warmer server.
      const all = ['baseline', 'pair', 'worker'] as const;
      const sides = [...all.slice(rep % 3), ...all.slice(0, rep % 3)];
      for (const side of sides) {
        const started = performance.now();
        if (side === 'baseline' || side === 'pair') {
          const prefix = `sessions/${side}-${uniqueName('b')}`;
          await Promise.all(
            npys.flatMap((body, i) => [
              plainPut(`${prefix}/websdr_${RECEIVERS[i]}.npy`, body, 'application/octet-stream'),
              ...(side === 'pair'
                ? [plainPut(`${prefix}/websdr_${RECEIVERS[i]}_metadata.json`, metadataJson, 'application/json')]
                : []),
            ]),
          );
          // The first round warms connections and the JIT on every side and is not counted.
          if (rep > 0) (side === 'pair' ? pair : baseline).push(performance.now() - started);
        } else {
          const task = await db.prisma.acquisitionTask.create({
            data: {
              userId: user.id,
              frequencyHz: 7_100_000n,
              durationMs,
              sampleRate,
              receivers: RECEIVERS,
              total: RECEIVERS.length,
            },
          });
          // Task creation is the API's work, outside the timed part; everything the worker does is inside.
          const t0 = performance.now();
          await handleAcquisition(workerDeps, { taskId: task.id }, ctx);
          const elapsed = performance.now() - t0;
          // Checked after the clock stops: the bench's own query is not the worker's time.
          const state = (await db.prisma.acquisitionTask.findUniqueOrThrow({ where: { id: task.id } })).state;
          if (state !== 'SUCCESS') throw new Error(`worker run ended ${state}`);
          if (rep > 0) worker.push(elapsed);
        }
      }
      await emptyBucket();
      if (rep > 0) {
        log(
          `  rep ${rep}/${REPS}: baseline ${baseline.at(-1)!.toFixed(0)} ms, with metadata ${pair.at(-1)!.toFixed(0)} ms, worker ${worker.at(-1)!.toFixed(0)} ms`,
        );
      }
    }
    rows.push({
      size,
      baselineMs: median(baseline),
      pairMs: median(pair),
      workerMs: median(worker),
      pairRatios: pair.map((p, i) => p / worker[i]!),
      peakRss: rss.stop(),
    });
  }

  const total = (r: Row) => (r.size * RECEIVERS.length) / MiB;
  const rate = (r: Row, ms: number) => `${(total(r) / (ms / 1000)).toFixed(0)} MB/s`;
  const table = rows
    .map(
      (r) =>
        `| 7 × ${r.size / MiB} MB | ${total(r)} MB | ${r.baselineMs.toFixed(0)} ms (${rate(r, r.baselineMs)}) | ${r.workerMs.toFixed(0)} ms (${rate(r, r.workerMs)}) | **${(r.baselineMs / r.workerMs).toFixed(2)}×** | ${r.pairMs.toFixed(0)} ms (${(r.baselineMs / r.pairMs).toFixed(2)}×) | ${(r.pairMs / r.workerMs).toFixed(2)}× | ${(r.peakRss / MiB).toFixed(0)} MB |`,
    )
    .join('\n');
  const small = rows[0]!;
  const worstRatio = Math.min(...rows.map((r) => r.baselineMs / r.workerMs));
  const worstPair = Math.min(...rows.map((r) => r.pairMs / r.workerMs));
  const spread = rows
    .map(
      (r) => `7 × ${r.size / MiB} MB ${Math.min(...r.pairRatios).toFixed(2)}–${Math.max(...r.pairRatios).toFixed(2)}×`,
    )
    .join(', ');
  const met = (ok: boolean) => (ok ? 'met' : '**not met**');
  const markdown = `## Acquisition: 7 receivers -> .npy + metadata in S3 (\`pnpm bench:acquisition\`)

The acquisition-worker handler for one task of 7 receivers (claim, .npy encoding, sha256, SNR estimate, PutObject of the
.npy and its metadata JSON with \`x-amz-meta-*\`, artifact/measurement rows, progress, result), receiver concurrency
${config.app.receiverConcurrency}, logging at info to a file, against a baseline in the same run: 7 parallel plain \`PutObject\`s of the same .npy
bytes with the bare SDK. As a like-for-like reference, the same plain PutObjects plus one ~700-byte metadata JSON
per receiver (the 14 objects the worker stores, nothing else). Samples are generated once and replayed to the
worker (capture time is the receiver's, not storage's). ${REPS} timed runs per size after one warm-up, the order of
the sides rotating; median shown. Throughput counts the .npy bytes only. Machine: 2 cores shared, Ceph RGW
(memory-backed) and PostgreSQL 15 on loopback.

| measurements | .npy bytes | baseline (parallel PutObject) | worker handler | throughput ratio (worker/baseline) | plain PutObject of .npy + metadata (ratio to baseline) | worker vs that | peak RSS |
|---|---:|---:|---:|---:|---:|---:|---:|
${table}

Targets: worker >= 0.95x the like-for-like reference (lowest here **${worstPair.toFixed(2)}x**: ${met(worstPair >= 0.95)}; per rep
${spread}); worker >= 0.9x baseline (lowest ratio here **${worstRatio.toFixed(2)}x**: ${met(worstRatio >= 0.9)});
7 × 4 MB in under 300 ms (**${small.workerMs.toFixed(0)} ms**: ${met(small.workerMs < 300)}). Load average during the run:
${loadBefore} before, ${load1()} after (other work shares the 2 cores with RGW and PostgreSQL).

The metadata objects the issue asks for cost most at 4 MB: on this RGW every object has a fixed cost
(authentication, bucket index update) that is large next to writing 4 MB into memory, so seven more small PUTs
alone, with the plain SDK and no worker logic at all, take the ratio to the baseline down to the value in the
reference column. The worker against that like-for-like reference is the last column.

Where the worker's extra time goes, beyond the same PUTs: a second PUT per receiver (the metadata JSON),
one SQL statement to claim the task, one per receiver (file + measurement rows and the progress counters
together) and one to finish it. Each .npy is hashed once (SHA-256), and that digest is the SigV4 payload hash,
so the worker hashes as often as the baseline. Before hashing, each receiver yields one turn of the event loop, so
the receivers ahead of it are already sending while it hashes (hashing all seven first kept the wire idle for
~25 ms; the yield was worth ~4 points of ratio at 4 MB). Buffer PUTs go through the SDK's
\`PutObject\` (issue 13: no hand-written SigV4), with the digest as the signed payload hash, so each object costs
the SDK's middleware stack like the reference's. The synthetic source captures into memory with
room for the .npy header in front (\`allocateIq\`), so the file is written in place, without a copy.
On this machine the client, RGW and PostgreSQL compete for two cores, so every CPU millisecond shows
in the ratio; results swing by ±30 % between runs with the load of other processes.`;
  writeSection('acquisition', markdown);
  log(
    `done: ratios ${rows.map((r) => (r.baselineMs / r.workerMs).toFixed(2)).join(', ')} (plain .npy + metadata: ${rows.map((r) => (r.baselineMs / r.pairMs).toFixed(2)).join(', ')}); 7×4MB ${small.workerMs.toFixed(0)} ms`,
  );

  s3.destroy();
  storage.close();
  await db.close();
  await database.drop();
  workerLog.remove();
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
