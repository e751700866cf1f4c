import { parseCsv } from '@pulse/testing';
import { Transform } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Consumer } from '@pulse/bus';
import type { Storage } from '@pulse/storage';
import { startExportConsumer } from '../src/consumer';
import {
  createJob,
  expectedRows,
  type JobSpec,
  openWorkerEnv,
  readObject,
  type Seeded,
  seed,
  until,
  type WorkerEnv,
} from './helpers';

let env: WorkerEnv;
let seeded: Seeded;
const FAST = { maxDeliver: 2, backoffMs: () => 200 };

beforeAll(async () => {
  env = await openWorkerEnv({ maxDeliver: 2 });
  // ~15 MB of CSV: three 5 MB parts, so an interrupted export leaves a real multipart upload behind.
  seeded = await seed(env.db, 240_000);
});
afterAll(async () => {
  await env.dispose();
});

const jobStatus = async (id: string) => (await env.db.prisma.exportJob.findUniqueOrThrow({ where: { id } })).status;

async function incompleteUploads(): Promise<number> {
  let n = 0;
  for await (const _ of env.storage.listMultipartUploads(env.bucket, 'exports/')) n++;
  return n;
}

/** Real storage whose uploads stall for good after `bytes`: the worker is "killed" while it waits. */
function stallingStorage(storage: Storage, bytes: number, onStall: () => void): Storage {
  return Object.assign(Object.create(storage) as Storage, {
    put: ((bucket, key, body, options) => {
      if (Buffer.isBuffer(body)) return storage.put(bucket, key, body, options);
      let seen = 0;
      const valve = new Transform({
        transform(chunk: Buffer, _enc, done) {
          seen += chunk.length;
          if (seen <= bytes) return done(null, chunk);
          onStall();
          // Never calls done(): only an abort gets this upload out of here.
        },
      });
      body.pipe(valve);
      body.on('error', (err) => valve.destroy(err));
      return storage.put(bucket, key, valve, options);
    }) as Storage['put'],
  });
}

describe('export consumer (real NATS)', () => {
  it('turns a published export.requested into a finished file', async () => {
    const consumer = await startExportConsumer(env.deps, FAST);
    try {
      const spec: JobSpec = {
        userId: seeded.userId,
        format: 'ndjson',
        deviceIds: seeded.deviceIds,
        metrics: ['temperature'],
      };
      const id = await createJob(env.db, spec);
      await env.bus.publish('export.requested', { exportId: id }, { msgId: `export:${id}` });
      await until(async () => (await jobStatus(id)) === 'succeeded');
      const job = await env.db.prisma.exportJob.findUniqueOrThrow({ where: { id }, include: { file: true } });
      expect(Number(job.rowsDone)).toBe((await expectedRows(env.db, spec)).length);
    } finally {
      await consumer.stop();
    }
  });

  it('resumes an export whose worker was stopped mid-upload, leaving no incomplete multipart upload', async () => {
    const spec: JobSpec = { userId: seeded.userId, format: 'csv', deviceIds: seeded.deviceIds };
    const id = await createJob(env.db, spec);
    let stalled = false;
    const first = await startExportConsumer(
      { ...env.deps, storage: stallingStorage(env.storage, 7 * 1024 * 1024, () => (stalled = true)) },
      FAST,
    );
    await env.bus.publish('export.requested', { exportId: id }, { msgId: `export:${id}` });
    await until(async () => stalled);
    // The stall comes as the second part's bytes arrive; the multipart upload itself is created by a
    // request that may still be in flight at that moment.
    await until(async () => (await incompleteUploads()) === 1);
    expect(await jobStatus(id)).toBe('running');

    await first.stop(); // SIGTERM: the running export is aborted and its message goes back to the stream
    expect(await incompleteUploads()).toBe(0);
    const released = await env.db.prisma.exportJob.findUniqueOrThrow({ where: { id } });
    expect(released.status).toBe('queued');
    expect(released.error).toMatch(/interrupted/);

    const second: Consumer = await startExportConsumer(env.deps, FAST);
    try {
      await until(async () => (await jobStatus(id)) === 'succeeded');
    } finally {
      await second.stop();
    }
    const job = await env.db.prisma.exportJob.findUniqueOrThrow({ where: { id }, include: { file: true } });
    const expected = await expectedRows(env.db, spec);
    const [, ...records] = parseCsv((await readObject(env.storage, env.bucket, job.file!.objectKey)).toString('utf8'));
    expect(records).toHaveLength(expected.length);
    expect(records.at(-1)).toEqual([
      expected.at(-1)!.ts.toISOString(),
      expected.at(-1)!.device_id,
      expected.at(-1)!.metric,
      String(expected.at(-1)!.value),
    ]);
    expect(job.attempts).toBe(2);
    expect(await incompleteUploads()).toBe(0);
    expect(await env.db.prisma.artifactFile.count({ where: { objectKey: job.file!.objectKey } })).toBe(1);
  });

  it('marks the job failed with a readable reason after the last delivery when storage keeps failing', async () => {
    const consumer = await startExportConsumer({ ...env.deps, bucket: 'pulse-exports-missing-bucket' }, FAST);
    try {
      const id = await createJob(env.db, {
        userId: seeded.userId,
        format: 'csv',
        deviceIds: seeded.deviceIds,
        metrics: ['voltage'],
      });
      const done: string[] = [];
      const sub = env.bus.subscribe('export.completed', (e) => e.exportId === id && done.push(e.status));
      await env.bus.publish('export.requested', { exportId: id }, { msgId: `export:${id}` });
      await until(async () => (await jobStatus(id)) === 'failed');
      const job = await env.db.prisma.exportJob.findUniqueOrThrow({ where: { id } });
      expect(job.attempts).toBe(2);
      expect(job.error).toBe(
        'the export could not be completed (failed 2 times, last: the file storage refused the file)',
      );
      expect(job.finishedAt).not.toBeNull();
      await until(async () => done.length > 0);
      expect(done).toEqual(['failed']);
      sub.unsubscribe();
    } finally {
      await consumer.stop();
    }
  });

  it('never logs a presigned URL', () => {
    expect(env.logs.text).not.toMatch(/X-Amz-Signature/i);
  });
});
