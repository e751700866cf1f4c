import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Db } from '@pulse/db';
import { type OpenTestDb, openTestDb } from '@pulse/db/testing';
import { expireFiles } from '@pulse/files';
import {
  claimJob,
  completeJob,
  countExportsByStatus,
  createExportJob,
  deleteExport,
  expireExportsOfFiles,
  findOwnedExport,
  listExports,
  markFailed,
  type NewExport,
  recordProgress,
  releaseForRetry,
} from '../src';

let t: OpenTestDb;
let db: Db;

beforeAll(async () => {
  t = await openTestDb('pulse_exports_t');
  db = t.db;
});
afterAll(async () => {
  await t.dispose();
});

async function newUser(): Promise<string> {
  const tag = randomUUID().slice(0, 8);
  const user = await db.prisma.user.create({ data: { email: `${tag}@exports.test`, name: tag } });
  return user.id;
}

const request = (userId: string): NewExport => ({
  userId,
  format: 'csv',
  deviceIds: ['dev-1', 'dev-2'],
  metrics: ['temperature'],
  from: new Date('2026-10-01T00:00:00Z'),
  to: new Date('2026-10-02T00:00:00Z'),
});

async function created(userId: string): Promise<string> {
  const result = await createExportJob(db, request(userId), { maxRunning: 10 });
  if (!result.created) throw new Error('expected a job');
  return result.id;
}

const fileFor = (id: string) => ({
  bucket: 'pulse-exports',
  key: `exports/${id}.csv`,
  contentType: 'text/csv',
  filename: 'telemetry.csv',
  size: 1234,
  sha256: 'a'.repeat(64),
  rows: 42,
  expiresAt: new Date('2030-01-01T00:00:00Z'),
});

describe('createExportJob', () => {
  it('writes the queued job and its export.requested outbox row together', async () => {
    const userId = await newUser();
    const id = await created(userId);
    const job = await db.prisma.exportJob.findUniqueOrThrow({ where: { id } });
    expect(job).toMatchObject({ userId, status: 'queued', format: 'csv', deviceIds: ['dev-1', 'dev-2'], attempts: 0 });
    const outbox = await db.prisma.outboxEvent.findUniqueOrThrow({ where: { msgId: `export:${id}` } });
    expect(outbox.subject).toBe('export.requested');
    expect(outbox.payload).toEqual({ exportId: id });
  });

  it('refuses past the per-user cap without writing anything, even for a burst', async () => {
    const userId = await newUser();
    const results = await Promise.all(
      Array.from({ length: 5 }, () => createExportJob(db, request(userId), { maxRunning: 2 })),
    );
    expect(results.filter((r) => r.created)).toHaveLength(2);
    expect(results.filter((r) => !r.created)).toEqual([
      { created: false, running: 2 },
      { created: false, running: 2 },
      { created: false, running: 2 },
    ]);
    expect(await db.prisma.exportJob.count({ where: { userId } })).toBe(2);
    expect(await db.prisma.outboxEvent.count({ where: { subject: 'export.requested' } })).toBeGreaterThanOrEqual(2);
  });
});

describe('worker state changes', () => {
  it('claim → progress → complete registers the file and never reopens a finished job', async () => {
    const userId = await newUser();
    const id = await created(userId);
    const claim = await claimJob(db, id);
    expect(claim).toMatchObject({ claimed: true, job: { id, userId, format: 'csv', attempts: 1 } });
    if (!claim.claimed) throw new Error('unreachable');
    await recordProgress(db, id, 17);
    expect(Number((await db.prisma.exportJob.findUniqueOrThrow({ where: { id } })).rowsDone)).toBe(17);

    const done = await completeJob(db, claim.job, fileFor(id));
    expect(done.completed).toBe(true);
    const job = await db.prisma.exportJob.findUniqueOrThrow({ where: { id }, include: { file: true } });
    expect(job).toMatchObject({ status: 'succeeded', error: null });
    expect(Number(job.rowsDone)).toBe(42);
    expect(job.file).toMatchObject({ objectKey: `exports/${id}.csv`, status: 'ready', ownerId: userId });

    expect(await completeJob(db, claim.job, fileFor(id))).toEqual({ completed: false, reason: 'finished' });
    expect(await claimJob(db, id)).toEqual({ claimed: false, status: 'succeeded' });
    expect(await markFailed(db, id, 'late')).toBeNull();
    expect(await db.prisma.artifactFile.count({ where: { objectKey: `exports/${id}.csv` } })).toBe(1);
  });

  it('a released attempt is queued with its reason and claimed again; a failure is terminal', async () => {
    const userId = await newUser();
    const id = await created(userId);
    await claimJob(db, id);
    await releaseForRetry(db, id, 'attempt 1 failed: boom; retrying');
    expect(await db.prisma.exportJob.findUniqueOrThrow({ where: { id } })).toMatchObject({
      status: 'queued',
      error: 'attempt 1 failed: boom; retrying',
    });
    expect(await claimJob(db, id)).toMatchObject({ claimed: true, job: { attempts: 2 } });
    expect(await markFailed(db, id, 'x'.repeat(2000))).toEqual({ userId });
    const job = await db.prisma.exportJob.findUniqueOrThrow({ where: { id } });
    expect(job.status).toBe('failed');
    expect(job.error).toHaveLength(1000);
    expect(job.finishedAt).not.toBeNull();
  });

  it('a job deleted meanwhile is gone to the worker', async () => {
    const userId = await newUser();
    const id = await created(userId);
    const claim = await claimJob(db, id);
    if (!claim.claimed) throw new Error('expected a claim');
    await db.prisma.exportJob.delete({ where: { id } });
    expect(await completeJob(db, claim.job, fileFor(id))).toEqual({ completed: false, reason: 'gone' });
    expect(await claimJob(db, id)).toEqual({ claimed: false, status: null });
  });
});

describe('the API queries', () => {
  it('finds, lists by keyset, counts and deletes only the owner’s exports', async () => {
    const alice = await newUser();
    const bob = await newUser();
    const ids = [await created(alice), await created(alice), await created(alice)];
    const bobs = await created(bob);

    expect(await findOwnedExport(db, { exportId: bobs, userId: alice })).toBeNull();
    expect((await findOwnedExport(db, { exportId: ids[0]!, userId: alice }))?.id).toBe(ids[0]);

    const first = await listExports(db, { userId: alice, limit: 2 });
    expect(first.more).toBe(true);
    const last = first.jobs.at(-1)!;
    const second = await listExports(db, { userId: alice, limit: 2, after: last });
    expect(second.more).toBe(false);
    expect([...first.jobs, ...second.jobs].map((j) => j.id).sort()).toEqual([...ids].sort());

    const claim = await claimJob(db, ids[0]!);
    if (!claim.claimed) throw new Error('expected a claim');
    await completeJob(db, claim.job, fileFor(ids[0]!));
    const counts = await countExportsByStatus(db);
    expect(counts.find((c) => c.status === 'succeeded')?.count).toBeGreaterThanOrEqual(1);

    const owned = await findOwnedExport(db, { exportId: ids[0]!, userId: alice });
    await deleteExport(db, { ...owned!, userId: bob });
    expect(await db.prisma.exportJob.count({ where: { id: ids[0]! } })).toBe(1);
    await deleteExport(db, owned!);
    expect(await db.prisma.exportJob.count({ where: { id: ids[0]! } })).toBe(0);
    expect(await db.prisma.artifactFile.count({ where: { id: owned!.file!.id } })).toBe(0);
    expect(await db.prisma.artifact.count({ where: { id: owned!.file!.artifactId } })).toBe(0);
  });
});

describe('retention', () => {
  it('expires the jobs of the files retention removed, in the same transaction as the files', async () => {
    const userId = await newUser();
    const id = await created(userId);
    const other = await created(userId);
    for (const jobId of [id, other]) {
      const claim = await claimJob(db, jobId);
      if (!claim.claimed) throw new Error('expected a claim');
      await completeJob(db, claim.job, fileFor(jobId));
    }
    const fileId = (await db.prisma.exportJob.findUniqueOrThrow({ where: { id } })).fileId!;
    const at = new Date('2031-01-01T00:00:00Z');
    const result = await db.prisma.$transaction(async (tx) => {
      const ids = await expireFiles(tx, [fileId], at);
      return { ids, jobs: await expireExportsOfFiles(tx, ids) };
    });
    expect(result).toEqual({ ids: [fileId], jobs: 1 });
    expect((await db.prisma.exportJob.findUniqueOrThrow({ where: { id } })).status).toBe('expired');
    expect((await db.prisma.exportJob.findUniqueOrThrow({ where: { id: other } })).status).toBe('succeeded');
    expect(await db.prisma.artifactFile.findUniqueOrThrow({ where: { id: fileId } })).toMatchObject({
      status: 'deleted',
      deletedAt: at,
    });
    // A file already deleted is not expired twice: nothing changes, no job is touched.
    expect(await db.prisma.$transaction((tx) => expireFiles(tx, [fileId], at))).toEqual([]);
  });
});
