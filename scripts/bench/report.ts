import type { AddressInfo } from 'node:net';
import { parseArgs } from 'node:util';
import { connectBus, dynamicPublisher } from '@pulse/bus';
import { loadConfig } from '@pulse/config';
import { createDb, startOutboxRelay } from '@pulse/db';
import { createLogger } from '@pulse/logger';
import { createTestDatabase, NATS_URL, uniqueName } from '@pulse/testing';
import { SMTPServer } from 'smtp-server';
import { reportWorkerConfigShape } from '../../apps/report-worker/src/config';
import { consumeReportRequests } from '../../apps/report-worker/src/consumer';
import { emailChartSeries, renderEmailChart, renderPdf, renderXlsx } from '@pulse/report-render';
import { loadReportData, type ReportData, requestDueReports } from '@pulse/reports';
import { createMailer } from '@pulse/mail';
import { createStorage } from '@pulse/storage';
import { mb, progress, rgwEnv, rssSampler, writeSection, runBench } from './lib';

const { values } = parseArgs({
  options: { followers: { type: 'string', default: '1000' }, concurrency: { type: 'string', default: '4' } },
});
const FOLLOWERS = Number(values.followers);
const CONCURRENCY = Number(values.concurrency);
const DEVICES_PER_FOLLOWER = 3;
const PERIOD = '2026-10';
const log = (msg: string) => progress('report', msg);

/** An SMTP server that only counts: parsing every message here would bill the sink's CPU to the pipeline. */
async function startSmtpSink() {
  let messages = 0;
  let bytes = 0;
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, _session, done) {
      stream.on('data', (c: Buffer) => {
        bytes += c.length;
      });
      stream.on('end', () => {
        messages++;
        done();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.server.address() as AddressInfo).port,
    count: () => messages,
    bytes: () => bytes,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

async function main(): Promise<void> {
  const database = await createTestDatabase('pulse_bench_report');
  const smtp = await startSmtpSink();
  const config = loadConfig(reportWorkerConfigShape, {
    ...process.env,
    ...rgwEnv(),
    STORAGE_BACKEND: 's3',
    DATABASE_URL: database.url,
    DATABASE_POOL_MAX: '10',
    NATS_URL,
    NATS_STREAM: uniqueName('BENCHREP').toUpperCase(),
    NATS_SUBJECT_PREFIX: uniqueName('bench').replace(/_/g, '-'),
    S3_BUCKET_REPORTS: uniqueName('bench-rep').replace(/_/g, '-').slice(0, 63),
    SMTP_HOST: '127.0.0.1',
    SMTP_PORT: String(smtp.port),
    REPORT_LINK_SECRET: 'bench-report-link-secret-0123456789',
    UNSUBSCRIBE_SIGNING_SECRET: 'bench-unsubscribe-signing-secret-0123456789',
  });
  const logger = createLogger({ name: 'bench-report', level: 'warn' });
  const db = createDb(config.db);
  const storage = createStorage({ config: config.s3, logger });
  await storage.ensureBucket(config.s3.buckets.reports);
  const mailer = createMailer({ config: config.smtp, logger });

  try {
    // Devices are shared: follower i follows devices i, i+1, i+2 (mod D), as real fleets overlap.
    const deviceCount = Math.max(DEVICES_PER_FOLLOWER, Math.ceil(FOLLOWERS / 3));
    log(
      `seeding ${FOLLOWERS} followers × ${DEVICES_PER_FOLLOWER} devices over ${deviceCount} devices (hourly, 2 metrics, ${PERIOD})`,
    );
    await db.pool.query(
      `INSERT INTO devices (id, name, site) SELECT 'dev-' || i, 'Sensor ' || i || ' Łódź', 'Site ' || (i % 17) FROM generate_series(0, $1 - 1) i`,
      [deviceCount],
    );
    await db.pool.query(
      `INSERT INTO telemetry (device_id, ts, metric, value)
       SELECT 'dev-' || i, ts, m, CASE m WHEN 'temperature' THEN 20 + 5 * sin(i + extract(epoch FROM ts) / 40000) ELSE 40 + (i % 30) END
       FROM generate_series(0, $1 - 1) i,
            generate_series('2026-10-01T00:00:00Z'::timestamptz, '2026-10-31T23:00:00Z'::timestamptz, interval '1 hour') ts,
            unnest(ARRAY['temperature', 'humidity']) m`,
      [deviceCount],
    );
    await db.pool.query(
      `INSERT INTO users (id, email, name) SELECT gen_random_uuid(), 'follower' || i || '@bench.local', 'Follower ' || i || ' Ørsted' FROM generate_series(0, $1 - 1) i`,
      [FOLLOWERS],
    );
    await db.pool.query(
      `INSERT INTO device_follows (user_id, device_id)
       SELECT u.id, 'dev-' || ((u.n + k) % $2) FROM (SELECT id, row_number() OVER (ORDER BY email) - 1 AS n FROM users) u, generate_series(0, $1 - 1) k`,
      [DEVICES_PER_FOLLOWER, deviceCount],
    );
    await db.pool.query('ANALYZE');
    const { rows: followers } = await db.pool.query<{ id: string }>('SELECT id FROM users ORDER BY email');

    // Render-only baseline: the same reports, data loaded beforehand, no storage, mail or delivery rows.
    log('loading report data for the render-only baseline');
    const data: ReportData[] = [];
    for (const f of followers)
      data.push(await loadReportData(db.pool, { followerId: f.id, period: PERIOD, timeZone: 'UTC' }));
    log(`render-only: ${FOLLOWERS} × (PDF + XLSX + email chart PNG)`);
    const renderRss = rssSampler();
    const renderStart = performance.now();
    let renderedBytes = 0;
    let chartBytes = 0;
    for (const [i, d] of data.entries()) {
      const [pdf, xlsx] = await Promise.all([renderPdf(d), renderXlsx(d)]);
      // The email's chart is rendered too: the baseline is everything the report's content costs.
      const series = emailChartSeries(d);
      const chart = series ? renderEmailChart(series) : Buffer.alloc(0);
      renderedBytes += pdf.length + xlsx.length;
      chartBytes += chart.length;
      if ((i + 1) % 100 === 0) log(`  rendered ${i + 1}/${FOLLOWERS}`);
    }
    const renderMs = performance.now() - renderStart;
    const renderPeak = renderRss.stop();
    data.length = 0;

    // Full pipeline, as in production: one scheduled slot → outbox → NATS → consumer with N in flight.
    log(
      `full pipeline: scheduler → outbox → NATS → query + render + upload + email + rows (concurrency ${CONCURRENCY})`,
    );
    const bus = await connectBus({ config: config.nats, logger, name: 'bench-report' });
    const fullRss = rssSampler();
    const fullStart = performance.now();
    const consumer = await consumeReportRequests(
      bus,
      { db, storage, mailer, logger, settings: config.app, keys: config.keys, bucket: config.s3.buckets.reports },
      { concurrency: CONCURRENCY, maxDeliver: 5 },
    );
    const relay = startOutboxRelay({ db, publish: dynamicPublisher(bus), logger, intervalMs: 50, batchSize: 500 });
    // The default subscription's slot (02:00 UTC on the 1st) for the month after PERIOD.
    const requested = (await requestDueReports(db, new Date('2026-11-01T02:00:00Z'), { windowMs: 600_000 })).length;
    let last = 0;
    while (smtp.count() < requested) {
      await new Promise((r) => setTimeout(r, 200));
      if (smtp.count() - last >= 100) {
        last = smtp.count() - (smtp.count() % 100);
        log(`  emails ${smtp.count()}/${requested}`);
      }
    }
    // Done means recorded as sent, not only accepted by SMTP.
    while ((await db.prisma.reportDelivery.count({ where: { reportPeriod: PERIOD, status: 'sent' } })) < requested) {
      await new Promise((r) => setTimeout(r, 50));
    }
    const fullMs = performance.now() - fullStart;
    const fullPeak = fullRss.stop();
    await consumer.stop();
    await relay.stop();
    await bus.close();

    const uploaded = await db.prisma.reportDelivery.count({ where: { reportPeriod: PERIOD, storageUploaded: true } });
    const files = await db.prisma.artifactFile.count();
    const ratio = fullMs / renderMs;
    const emailsPerSec = requested / (fullMs / 1000);
    log(
      `render-only ${(renderMs / 1000).toFixed(1)} s, full ${(fullMs / 1000).toFixed(1)} s, ratio ${ratio.toFixed(2)}, ${emailsPerSec.toFixed(1)} emails/s`,
    );

    writeSection(
      'report',
      `## Reports (\`scripts/bench/report.ts\`)

${FOLLOWERS} followers × ${DEVICES_PER_FOLLOWER} devices (${deviceCount} devices, hourly temperature + humidity for ${PERIOD},
${(deviceCount * 744 * 2).toLocaleString('en-US')} telemetry rows). Full pipeline = one scheduled slot → outbox → NATS → report-worker
consumer (concurrency ${CONCURRENCY}): SQL aggregation, PDF + XLSX render, concurrent upload of both to RGW,
email (text + HTML with headline figures and an inline PNG chart, List-Unsubscribe) to a local SMTP sink,
artifact/delivery rows. Render-only = the same reports (PDF, XLSX and the email's chart) rendered from preloaded
data, sequentially, no I/O. Both in one process on the shared 2-core machine.

| run | reports | time | per report | emails/s | peak RSS |
|---|---:|---:|---:|---:|---:|
| render-only (baseline) | ${FOLLOWERS} | ${(renderMs / 1000).toFixed(1)} s | ${(renderMs / FOLLOWERS).toFixed(1)} ms | — | ${mb(renderPeak)} |
| full pipeline | ${requested} | ${(fullMs / 1000).toFixed(1)} s | ${(fullMs / requested).toFixed(1)} ms | ${emailsPerSec.toFixed(1)} | ${mb(fullPeak)} |

Full / render-only: **${ratio.toFixed(2)}×** (target < 2×: ${ratio < 2 ? 'met' : 'NOT met'}). ${uploaded}/${requested} deliveries stored
in S3 (${files} artifact files), ${smtp.count()} emails (${mb(smtp.bytes())}, ${(smtp.bytes() / smtp.count() / 1024).toFixed(1)} KiB per email
including the chart of ${(chartBytes / FOLLOWERS / 1024).toFixed(1)} KiB before base64); rendered files ${mb(renderedBytes)}
(${(renderedBytes / FOLLOWERS / 1024).toFixed(0)} KiB per follower).`,
    );
    log('wrote the Reports section of BENCHMARKS.md');
  } finally {
    mailer.close();
    storage.close();
    await db.close();
    await smtp.close();
    await database.drop();
  }
}

runBench(main);
