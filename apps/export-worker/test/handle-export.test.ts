import { parseCsv } from '@pulse/testing';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { PermanentError } from '@pulse/bus';
import ExcelJS from 'exceljs';
import { handleExport } from '../src/handle-export-requested';
import {
  createJob,
  expectedRows,
  type JobSpec,
  OCT,
  openWorkerEnv,
  readObject,
  type Seeded,
  seed,
  testContext,
  type WorkerEnv,
  until,
} from './helpers';

let env: WorkerEnv;
let seeded: Seeded;

beforeAll(async () => {
  env = await openWorkerEnv();
  seeded = await seed(env.db, 3000);
});
afterAll(async () => {
  await env.dispose();
});

async function runJob(spec: JobSpec) {
  const id = await createJob(env.db, spec);
  await handleExport(env.deps, { exportId: id }, testContext());
  const job = await env.db.prisma.exportJob.findUniqueOrThrow({ where: { id }, include: { file: true } });
  return { id, job, file: job.file! };
}

describe('handleExport', () => {
  it('writes CSV with a header and exactly the selected rows, and records the file', async () => {
    const spec: JobSpec = { userId: seeded.userId, format: 'csv', deviceIds: seeded.deviceIds };
    const { id, job, file } = await runJob(spec);
    const expected = await expectedRows(env.db, spec);
    expect(expected.length).toBeGreaterThan(1000);

    expect(job.status).toBe('succeeded');
    expect(Number(job.rowsDone)).toBe(expected.length);
    expect(file).toMatchObject({
      bucket: env.bucket,
      objectKey: `exports/${id}.csv`,
      status: 'ready',
      ownerId: seeded.userId,
    });
    expect(file.originalFilename).toBe('telemetry_2026-10-01_2026-11-01.csv');
    expect(file.expiresAt!.getTime()).toBeGreaterThan(Date.now() + 6 * 86_400_000);

    const bytes = await readObject(env.storage, env.bucket, file.objectKey);
    expect(Number(file.sizeBytes)).toBe(bytes.length);
    expect(Number(job.sizeBytes)).toBe(bytes.length);
    const [header, ...records] = parseCsv(bytes.toString('utf8'));
    expect(header).toEqual(['ts', 'device_id', 'metric', 'value']);
    expect(records).toEqual(expected.map((r) => [r.ts.toISOString(), r.device_id, r.metric, String(r.value)]));
    expect(records.some((r) => r[2] === 'line\nbreak')).toBe(true);
  });

  it('writes NDJSON whose lines parse back to the rows, quotes and backslashes intact', async () => {
    const spec: JobSpec = {
      userId: seeded.userId,
      format: 'ndjson',
      deviceIds: seeded.deviceIds,
      metrics: ['say "hi", \\o/', 'Zoë°C'],
    };
    const { job, file } = await runJob(spec);
    const expected = await expectedRows(env.db, spec);
    const lines = (await readObject(env.storage, env.bucket, file.objectKey)).toString('utf8').split('\n');
    expect(lines.pop()).toBe('');
    expect(lines.map((l) => JSON.parse(l))).toEqual(
      expected.map((r) => ({ ts: r.ts.toISOString(), device_id: r.device_id, metric: r.metric, value: r.value })),
    );
    expect(Number(job.rowsDone)).toBe(expected.length);
    expect(file.contentType).toBe('application/x-ndjson');
  });

  it('writes XLSX with a header, typed date and number cells and a frozen header row', async () => {
    const spec: JobSpec = { userId: seeded.userId, format: 'xlsx', deviceIds: [seeded.deviceIds[1]!] };
    const { job, file } = await runJob(spec);
    const expected = await expectedRows(env.db, spec);
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.read((await env.storage.get(env.bucket, file.objectKey)).body);
    const sheet = workbook.worksheets[0]!;
    expect(sheet.views[0]).toMatchObject({ state: 'frozen', ySplit: 1 });
    expect(sheet.getRow(1).values).toEqual([undefined, 'ts', 'device_id', 'metric', 'value']);
    const data: unknown[][] = [];
    sheet.eachRow((row, n) => {
      if (n > 1) data.push((row.values as unknown[]).slice(1));
    });
    expect(data).toEqual(expected.map((r) => [r.ts, r.device_id, r.metric, r.value]));
    expect(sheet.getCell('A2').type).toBe(ExcelJS.ValueType.Date);
    expect(sheet.getCell('D2').type).toBe(ExcelJS.ValueType.Number);
    expect(Number(job.rowsDone)).toBe(expected.length);
    expect(file.originalFilename).toBe('telemetry_2026-10-01_2026-11-01.xlsx');
  });

  it('handles the same message twice: one object, one file row, one artifact', async () => {
    const spec: JobSpec = { userId: seeded.userId, format: 'csv', deviceIds: seeded.deviceIds };
    const { id, file } = await runJob(spec);
    await handleExport(env.deps, { exportId: id }, testContext());

    const job = await env.db.prisma.exportJob.findUniqueOrThrow({ where: { id } });
    expect(job).toMatchObject({ status: 'succeeded', fileId: file.id, attempts: 1 });
    expect(await env.db.prisma.artifactFile.count({ where: { objectKey: `exports/${id}.csv` } })).toBe(1);
    expect(await env.db.prisma.artifact.count({ where: { files: { some: { objectKey: `exports/${id}.csv` } } } })).toBe(
      1,
    );
    const keys: string[] = [];
    for await (const o of env.storage.list(env.bucket, `exports/${id}`)) keys.push(o.key);
    expect(keys).toEqual([`exports/${id}.csv`]);
  });

  it('aborts an upload an earlier attempt left open on the same key once the export is stored', async () => {
    const spec: JobSpec = { userId: seeded.userId, format: 'csv', deviceIds: seeded.deviceIds };
    const id = await createJob(env.db, spec);
    const key = `exports/${id}.csv`;
    // An earlier attempt that stalled after its first part (its own abort failed while S3 was down).
    const stalled = new Readable({ read() {} });
    stalled.push(Buffer.alloc(5 * 1024 * 1024 + 1, 1));
    const leftover = env.storage.put(env.bucket, key, stalled, { contentType: 'text/csv' }).catch((e: unknown) => e);
    const open = async () => {
      const found: string[] = [];
      for await (const u of env.storage.listMultipartUploads(env.bucket, key)) found.push(u.uploadId);
      return found;
    };
    await until(async () => (await open()).length === 1);

    await handleExport(env.deps, { exportId: id }, testContext());
    expect((await env.db.prisma.exportJob.findUniqueOrThrow({ where: { id } })).status).toBe('succeeded');
    expect(await open()).toEqual([]);
    expect(env.logs.events('s3_leftover_uploads_aborted')).toEqual([expect.objectContaining({ aborted: 1 })]);
    stalled.destroy(new Error('test over'));
    await leftover;
  });

  it('exports an empty selection as a header-only file', async () => {
    const spec: JobSpec = {
      userId: seeded.userId,
      format: 'csv',
      deviceIds: seeded.deviceIds,
      from: new Date('2030-01-01'),
      to: new Date('2030-02-01'),
    };
    const { job, file } = await runJob(spec);
    expect(job.status).toBe('succeeded');
    expect(Number(job.rowsDone)).toBe(0);
    expect((await readObject(env.storage, env.bucket, file.objectKey)).toString()).toBe('ts,device_id,metric,value\n');
  });

  it('treats a missing job and an empty range as permanent failures', async () => {
    await expect(
      handleExport(env.deps, { exportId: '00000000-0000-4000-8000-000000000000' }, testContext()),
    ).rejects.toBeInstanceOf(PermanentError);
    const id = await createJob(env.db, {
      userId: seeded.userId,
      format: 'csv',
      deviceIds: seeded.deviceIds,
      from: OCT.to,
      to: OCT.from,
    });
    await expect(handleExport(env.deps, { exportId: id }, testContext())).rejects.toBeInstanceOf(PermanentError);
  });

  it('releases the job for retry with a stable, readable reason when storage fails; the detail only in the log', async () => {
    const id = await createJob(env.db, { userId: seeded.userId, format: 'csv', deviceIds: seeded.deviceIds });
    const bucket = 'pulse-no-such-bucket-for-exports';
    const deps = { ...env.deps, bucket };
    await expect(handleExport(deps, { exportId: id }, testContext())).rejects.toThrow(
      /^the file storage refused the file$/,
    );
    const job = await env.db.prisma.exportJob.findUniqueOrThrow({ where: { id } });
    expect(job.status).toBe('queued');
    expect(job.error).toBe('attempt 1 failed: the file storage refused the file; retrying');
    const logged = env.logs.events('export_attempt_failed').at(-1)!;
    expect(logged).toMatchObject({ exportId: id, kind: 'storage_refused' });
    expect(JSON.stringify(logged)).toMatch(/NoSuchBucket/);
  });

  it('shows "the telemetry could not be read" when Postgres fails mid-export, never the SQL or table names', async () => {
    const id = await createJob(env.db, { userId: seeded.userId, format: 'csv', deviceIds: seeded.deviceIds });
    await env.db.pool.query('ALTER TABLE telemetry RENAME TO telemetry_away');
    try {
      await expect(handleExport(env.deps, { exportId: id }, testContext())).rejects.toThrow(
        /^the telemetry could not be read$/,
      );
    } finally {
      await env.db.pool.query('ALTER TABLE telemetry_away RENAME TO telemetry');
    }
    const job = await env.db.prisma.exportJob.findUniqueOrThrow({ where: { id } });
    expect(job.error).toBe('attempt 1 failed: the telemetry could not be read; retrying');
    expect(JSON.stringify(env.logs.events('export_attempt_failed').at(-1))).toMatch(/telemetry/);
  });

  it('logs file_created with ids, rows, bytes and duration, and never a presigned URL', async () => {
    const created = env.logs.events('file_created');
    expect(created.length).toBeGreaterThan(0);
    expect(created[0]).toEqual(
      expect.objectContaining({
        exportId: expect.any(String),
        rows: expect.any(Number),
        bytes: expect.any(Number),
        durationMs: expect.any(Number),
      }),
    );
    expect(env.logs.text).not.toMatch(/X-Amz-Signature/i);
    expect(env.logs.text).not.toContain('exports/');
  });
});
