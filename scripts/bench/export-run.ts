// One side of the export benchmark, in its own process so the parent can sample its RSS:
//   export-run.ts worker <exportId>    the export-worker's handler, exactly as the consumer calls it
//   export-run.ts baseline <exportId>  the same COPY piped into a plain lib-storage Upload
// Env: DATABASE_URL, S3_* and S3_BUCKET_EXPORTS. Prints one JSON line: {rows, bytes?, ms, cpuMs}.
import { Upload } from '@aws-sdk/lib-storage';
import { loadConfig } from '@pulse/config';
import { createDb, type Db } from '@pulse/db';
import { createLogger } from '@pulse/logger';
import { createStorage } from '@pulse/storage';
import { to as copyTo } from 'pg-copy-streams';
import { exportWorkerConfigShape } from '../../apps/export-worker/src/config';
import { handleExport } from '../../apps/export-worker/src/handle-export-requested';
import { copyStatement, telemetrySelect } from '../../apps/export-worker/src/telemetry-query';
import { plainS3Client } from './plain-s3';

const [mode, exportId] = process.argv.slice(2);
if ((mode !== 'worker' && mode !== 'baseline') || !exportId) {
  console.error('usage: export-run.ts worker|baseline <exportId>');
  process.exit(2);
}
const config = loadConfig(exportWorkerConfigShape, process.env);
const logger = createLogger({ name: 'bench-export', level: 'warn' });
const db = createDb(config.db);
const bucket = config.s3.buckets.exports;

async function runWorker(): Promise<{ rows: number; bytes: number }> {
  const storage = createStorage({ config: config.s3, logger });
  const never = new AbortController();
  // Progress events are fire-and-forget core NATS publishes; the bus itself is not what is measured.
  await handleExport(
    { db, storage, bus: { emit: () => undefined }, logger, bucket, settings: config.app },
    { exportId: exportId! },
    { deliveryCount: 1, signal: never.signal, working: () => undefined },
  );
  const job = await db.prisma.exportJob.findUniqueOrThrow({ where: { id: exportId! } });
  if (job.status !== 'succeeded') throw new Error(`export ended ${job.status}: ${job.error}`);
  storage.close();
  return { rows: Number(job.rowsDone), bytes: Number(job.sizeBytes) };
}

async function runBaseline(database: Db): Promise<{ rows: number }> {
  const job = await database.prisma.exportJob.findUniqueOrThrow({ where: { id: exportId! } });
  const s3 = plainS3Client(config.s3);
  const client = await database.pool.connect();
  try {
    const select = telemetrySelect(
      { format: 'csv', deviceIds: job.deviceIds, metrics: job.metrics, from: job.fromTs, to: job.toTs },
      (v) => client.escapeLiteral(v),
    );
    const copy = client.query(copyTo(copyStatement(select, 'csv')));
    const upload = new Upload({
      client: s3,
      params: { Bucket: bucket, Key: `exports/baseline-${exportId}.csv`, Body: copy, ContentType: 'text/csv' },
      partSize: config.s3.multipart.partSizeBytes,
      queueSize: config.s3.multipart.queueSize,
    });
    await upload.done();
    return { rows: copy.rowCount };
  } finally {
    client.release();
    s3.destroy();
  }
}

const started = performance.now();
const cpuBefore = process.cpuUsage();
const result = mode === 'worker' ? await runWorker() : await runBaseline(db);
const ms = Math.round(performance.now() - started);
// CPU time of this process: what the side itself costs, whatever else the machine is busy with.
const cpu = process.cpuUsage(cpuBefore);
const cpuMs = Math.round((cpu.user + cpu.system) / 1000);
await db.close();
process.stdout.write(`${JSON.stringify({ ...result, ms, cpuMs })}\n`);
