import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startOutboxRelay } from '@pulse/db';
import { dynamicPublisher } from '@pulse/bus';
import type { CapturedMail } from '@pulse/testing';
import { consumeReportRequests } from '../src/consumer';
import { readReportLink } from '@pulse/reports';
import { FilesDeferredError } from '../src/delivery/send-report';
import { DeliveryBusyError, handleReportRequested } from '../src/handle-report-requested';
import { formatCount } from '@pulse/report-render';
import { requestManualReports } from '@pulse/reports';
import { schedulerPass } from '../src/scheduling/scheduler';
import { reportObjectKey as reportKey } from '@pulse/storage';
import { type ReportFixture, type SeededFollower, seedReportWorld, startReportFixture } from './fixture';
import { pdfText, readWorkbook } from './read-back';

const PERIOD = '2026-10';
let fx: ReportFixture;
let followers: SeededFollower[];

const mailsTo = (email: string, period = 'October 2026') =>
  fx.smtp.messages.filter((m) => m.to.includes(email) && m.subject.includes(period));

function delivery(followerId: string, period = PERIOD) {
  return fx.db.prisma.reportDelivery.findUniqueOrThrow({
    where: { followerId_reportPeriod: { followerId, reportPeriod: period } },
  });
}

/** Waits until `pred` holds, polling; the consumer works asynchronously. */
async function eventually(pred: () => boolean | Promise<boolean>, what: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await pred())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function readBody(bucket: string, key: string): Promise<Buffer> {
  const { body } = await fx.storage.get(bucket, key);
  const chunks: Buffer[] = [];
  for await (const c of body) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

function linksIn(mail: CapturedMail): string[] {
  return [...mail.text.matchAll(/http:\/\/api\.test\/r\/([A-Za-z0-9_.-]+)/g)].map((m) => m[1]!);
}

beforeAll(async () => {
  fx = await startReportFixture();
  followers = await seedReportWorld(fx.db);
});
afterAll(async () => {
  await fx?.close();
});

describe('a scheduled run through the bus', () => {
  it('gives each follower both objects, one sent row and exactly one email with two file links', async () => {
    const bus = await fx.connectBus();
    const consumer = await consumeReportRequests(bus, fx.deps, { concurrency: 2, maxDeliver: 3 });
    const relay = startOutboxRelay({ db: fx.db, publish: dynamicPublisher(bus), logger: fx.logger, intervalMs: 100 });
    const tick = schedulerPass({ db: fx.db, logger: fx.logger });
    try {
      const slot = await tick(new Date('2026-11-01T02:00:00Z'));
      expect(slot.fired && slot.requested.map((r) => r.period)).toEqual([PERIOD, PERIOD]);
      await eventually(() => followers.every((f) => mailsTo(f.email).length > 0), 'both report emails');
      await eventually(
        async () => (await fx.db.prisma.reportDelivery.count({ where: { status: 'sent' } })) === 2,
        'rows sent',
      );

      // A duplicate trigger (operator run without resend) and a redelivery (handler called again) send nothing.
      await requestManualReports(fx.db, { period: PERIOD });
      await relay.flush();
      await eventually(() => fx.logs.events('report_skipped').length >= 2, 'duplicates skipped');
      for (const f of followers) {
        await expect(handleReportRequested(fx.deps, { period: PERIOD, followerId: f.id })).resolves.toBe(
          'already_sent',
        );
      }
    } finally {
      await relay.stop();
      await consumer.stop();
    }

    for (const f of followers) {
      expect(mailsTo(f.email)).toHaveLength(1);
      const row = await delivery(f.id);
      expect(row).toMatchObject({
        status: 'sent',
        emailSent: true,
        storageUploaded: true,
        attempts: 1,
        lastError: null,
      });
      const mail = mailsTo(f.email)[0]!;
      // No files attached: the only part besides the text is the HTML's inline chart.
      expect(mail.raw.attachments.map((a) => [a.contentType, a.cid, a.related])).toEqual([
        ['image/png', 'chart@pulse', true],
      ]);
      const tokens = linksIn(mail);
      expect(tokens).toHaveLength(2);
      const subs = tokens.map((t) => {
        const v = readReportLink(fx.config.keys.reportLinks, t, new Date(Date.now() + 29 * 86_400_000));
        if (!v.ok) throw new Error(`link token does not verify: ${v.reason}`);
        // The link names the report, never a file id (the API finds the file through the delivery row).
        expect(t).not.toContain(row.pdfFileId!);
        expect(Buffer.from(t.split('.')[1]!, 'base64url').toString()).not.toContain(row.pdfFileId!);
        return v.scope;
      });
      expect(subs).toEqual([
        { followerId: f.id, period: PERIOD, format: 'pdf' },
        { followerId: f.id, period: PERIOD, format: 'xlsx' },
      ]);
      expect(mail.html).toContain('/r/');

      const files = await fx.db.prisma.artifactFile.findMany({
        where: { ownerId: f.id },
        include: { artifact: true },
        orderBy: { objectKey: 'asc' },
      });
      expect(files.map((x) => x.objectKey)).toEqual([reportKey(PERIOD, f.id, 'pdf'), reportKey(PERIOD, f.id, 'xlsx')]);
      expect(
        files.every(
          (x) => x.status === 'ready' && x.artifact.kind === 'report' && x.artifactId === files[0]!.artifactId,
        ),
      ).toBe(true);
      for (const file of files) {
        const head = await fx.storage.head(file.bucket, file.objectKey);
        expect(head?.size).toBe(Number(file.sizeBytes));
      }
    }
  });

  it('puts figures in the PDF and the workbook that match the database', async () => {
    const zoe = followers[0]!;
    const { rows: expected } = await fx.db.pool.query<{
      device_id: string;
      metric: string;
      count: number;
      avg: number;
    }>(
      `SELECT device_id, metric, count(*)::int AS count, avg(value) AS avg FROM telemetry
       WHERE device_id = ANY($1) AND ts >= '2026-10-01T00:00:00Z' AND ts < '2026-11-01T00:00:00Z'
       GROUP BY 1, 2 ORDER BY 1, 2`,
      [zoe.devices],
    );
    expect(expected).toHaveLength(4);
    expect(expected[0]!.count).toBe(31 * 24);

    const bucket = fx.config.s3.buckets.reports;
    const pdf = await readBody(bucket, reportKey(PERIOD, zoe.id, 'pdf'));
    expect(pdf.subarray(0, 4).toString()).toBe('%PDF');
    const text = pdfText(pdf);
    expect(text).toContain('Zoë Ørsted-Dvořák');
    expect(text).toContain(`${formatCount(31 * 24 * 2)} readings`);
    expect(text).toMatch(/Page 1 of 3/);

    const xlsx = await readBody(bucket, reportKey(PERIOD, zoe.id, 'xlsx'));
    expect(xlsx.subarray(0, 2).toString()).toBe('PK');
    const wb = await readWorkbook(xlsx);
    const summary = wb.getWorksheet('Summary')!;
    const got = [];
    for (let r = 2; r <= summary.rowCount; r++) {
      const row = summary.getRow(r);
      got.push({
        device_id: row.getCell(1).value,
        metric: row.getCell(4).value,
        count: row.getCell(5).value,
        avg: row.getCell(7).value as number,
      });
    }
    got.sort((a, b) => `${a.device_id}${a.metric}`.localeCompare(`${b.device_id}${b.metric}`));
    expect(got.map((g) => [g.device_id, g.metric, g.count])).toEqual(
      expected.map((e) => [e.device_id, e.metric, e.count]),
    );
    for (const [i, g] of got.entries()) expect(g.avg).toBeCloseTo(expected[i]!.avg, 9);
    // One daily sheet per followed device, 31 days × 2 metrics.
    expect(wb.worksheets).toHaveLength(3);
    expect(wb.worksheets[1]!.rowCount).toBe(1 + 62);
  });
});

describe('exactly-once sending', () => {
  it('lets one of two handlers racing on the same message send, and the loser send nothing', async () => {
    const period = '2026-08';
    const bob = followers[1]!;
    const outcomes = await Promise.allSettled([
      handleReportRequested(fx.deps, { period, followerId: bob.id }),
      handleReportRequested(fx.deps, { period, followerId: bob.id }),
    ]);
    const sent = outcomes.filter((o) => o.status === 'fulfilled' && o.value === 'sent');
    expect(sent).toHaveLength(1);
    const loser = outcomes.find((o) => !(o.status === 'fulfilled' && o.value === 'sent'))!;
    if (loser.status === 'rejected') expect(loser.reason).toBeInstanceOf(DeliveryBusyError);
    else expect(loser.value).toBe('already_sent');
    // The loser's redelivery, later, only acknowledges.
    await expect(handleReportRequested(fx.deps, { period, followerId: bob.id })).resolves.toBe('already_sent');
    expect(mailsTo(bob.email, 'August 2026')).toHaveLength(1);
    expect(await delivery(bob.id, period)).toMatchObject({ status: 'sent', attempts: 1 });
  });

  it('sends again only on an explicit resend, and only once however often that request is delivered', async () => {
    const zoe = followers[0]!;
    await requestManualReports(fx.db, { period: PERIOD, followerId: zoe.id, resend: true });
    expect((await delivery(zoe.id)).status).toBe('pending');
    await expect(handleReportRequested(fx.deps, { period: PERIOD, followerId: zoe.id })).resolves.toBe('sent');
    await expect(handleReportRequested(fx.deps, { period: PERIOD, followerId: zoe.id })).resolves.toBe('already_sent');
    expect(mailsTo(zoe.email)).toHaveLength(2);
    // The rerun overwrote the same objects and rows instead of adding new ones.
    expect(await fx.db.prisma.artifactFile.count({ where: { ownerId: zoe.id } })).toBe(2);
    expect(await fx.db.prisma.artifact.count({ where: { ownerId: zoe.id } })).toBe(1);
  });

  it('takes over a delivery whose worker died once its claim has expired', async () => {
    const period = '2026-07';
    const bob = followers[1]!;
    await fx.db.pool.query(
      `INSERT INTO report_deliveries (id, follower_id, report_period, status, claimed_until, attempts, updated_at)
       VALUES (gen_random_uuid(), $1, $2, 'working', now() + interval '1 hour', 1, now())`,
      [bob.id, period],
    );
    await expect(handleReportRequested(fx.deps, { period, followerId: bob.id })).rejects.toBeInstanceOf(
      DeliveryBusyError,
    );
    await fx.db.pool.query(
      `UPDATE report_deliveries SET claimed_until = now() - interval '1 second' WHERE follower_id = $1 AND report_period = $2`,
      [bob.id, period],
    );
    await expect(handleReportRequested(fx.deps, { period, followerId: bob.id })).resolves.toBe('sent');
    expect(await delivery(bob.id, period)).toMatchObject({ status: 'sent', attempts: 2 });
  });
});

describe('storage down', () => {
  it('mails the files as attachments and records storage_uploaded=false', async () => {
    const period = '2026-06';
    const zoe = followers[0]!;
    await expect(
      handleReportRequested({ ...fx.deps, storage: fx.deadStorage() }, { period, followerId: zoe.id }),
    ).resolves.toBe('sent');
    const [mail] = mailsTo(zoe.email, 'June 2026');
    expect(mail).toBeDefined();
    expect(linksIn(mail!)).toHaveLength(0);
    expect(mail!.attachments.map((a) => a.filename)).toEqual(['pulse-report-2026-06.pdf', 'pulse-report-2026-06.xlsx']);
    expect(mail!.attachments[0]!.content.subarray(0, 4).toString()).toBe('%PDF');
    expect(mail!.attachments[1]!.content.subarray(0, 2).toString()).toBe('PK');
    expect(await delivery(zoe.id, period)).toMatchObject({
      status: 'sent',
      storageUploaded: false,
      pdfFileId: null,
      xlsxFileId: null,
    });
  });

  it('falls back to attachments when the upload fails after retries although the health check passed', async () => {
    const period = '2026-05';
    const bob = followers[1]!;
    const failingPuts = { ...fx.storage, put: () => Promise.reject(new Error('upload failed after 2 attempts')) };
    await expect(
      handleReportRequested({ ...fx.deps, storage: failingPuts }, { period, followerId: bob.id }),
    ).resolves.toBe('sent');
    expect(mailsTo(bob.email, 'May 2026')[0]!.attachments).toHaveLength(2);
    expect(await delivery(bob.id, period)).toMatchObject({ storageUploaded: false });
  });

  it('over the attachment cap, sends one notice and then the links once storage is back', async () => {
    const period = '2026-04';
    const zoe = followers[0]!;
    const down = { ...fx.deps, storage: fx.deadStorage(), settings: { ...fx.deps.settings, attachmentMaxBytes: 1000 } };
    const april = () => mailsTo(zoe.email, 'April 2026');

    await expect(handleReportRequested(down, { period, followerId: zoe.id })).rejects.toBeInstanceOf(
      FilesDeferredError,
    );
    expect(april()).toHaveLength(1);
    expect(april()[0]!.attachments).toHaveLength(0);
    expect(april()[0]!.text).toContain('will follow');
    expect(await delivery(zoe.id, period)).toMatchObject({ status: 'failed', emailSent: true, storageUploaded: false });

    // The bus retries while storage is still down: no second notice.
    await expect(handleReportRequested(down, { period, followerId: zoe.id })).rejects.toBeInstanceOf(
      FilesDeferredError,
    );
    expect(april()).toHaveLength(1);

    // Storage is back: the files follow as links, and the delivery is complete.
    await expect(handleReportRequested(fx.deps, { period, followerId: zoe.id })).resolves.toBe('sent');
    expect(april()).toHaveLength(2);
    expect(linksIn(april()[1]!)).toHaveLength(2);
    expect(await delivery(zoe.id, period)).toMatchObject({ status: 'sent', storageUploaded: true, attempts: 3 });
  });
});

describe('bad requests', () => {
  it('dead-letters a request for a user that does not exist', async () => {
    await expect(
      handleReportRequested(fx.deps, { period: PERIOD, followerId: '00000000-0000-4000-8000-00000000dead' }),
    ).rejects.toThrow('does not exist');
  });
});

describe('logs', () => {
  it('never logs links, tokens or object keys', () => {
    expect(fx.logs.text).not.toContain('/r/');
    // After every scenario above, storage outages included.
    expect(fx.logs.text).not.toMatch(/reports\/\d{4}-\d{2}\//);
    expect(fx.logs.text).not.toContain('X-Amz-Signature');
    const sent = fx.logs.events('report_sent');
    expect(sent.length).toBeGreaterThanOrEqual(2);
    expect(sent[0]).toMatchObject({ period: PERIOD, storageUploaded: true });
    expect(sent[0]).toHaveProperty('followerId');
    expect(sent[0]).toHaveProperty('pdfBytes');
    expect(sent[0]).toHaveProperty('durationMs');
  });
});
