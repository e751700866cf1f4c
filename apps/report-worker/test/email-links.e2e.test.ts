/**
 * The whole path a follower takes: report-worker mails the report, the two links in the email go to the
 * real ui-api (booted by its own test harness on the same database, bucket and SMTP capture), which
 * answers 302 to a presigned URL on RGW, which serves the right bytes.
 */
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startTestApp, type TestApp } from '../../ui-api/test/harness';
import { handleReportRequested } from '../src/handle-report-requested';
import { type ReportFixture, type SeededFollower, seedReportWorld, startReportFixture } from './fixture';
import { pdfText, readWorkbook } from './read-back';

const PERIOD = '2026-10';
let api: TestApp;
let fx: ReportFixture;
let followers: SeededFollower[];

beforeAll(async () => {
  api = await startTestApp();
  fx = await startReportFixture({
    databaseUrl: api.config.db.url,
    smtp: api.smtp,
    env: {
      S3_BUCKET_REPORTS: api.config.s3.buckets.reports,
      PUBLIC_BASE_URL: api.url,
      REPORT_LINK_SECRET: api.config.keys.reportLinks.current.secret,
      UNSUBSCRIBE_SIGNING_SECRET: api.config.keys.unsubscribe.current.secret,
    },
  });
  followers = await seedReportWorld(fx.db);
});
afterAll(async () => {
  await fx?.close();
  await api?.close();
});

/** Follows a report link like a mail client's browser: API 302, then the presigned GET. */
async function download(
  link: string,
): Promise<{ bytes: Buffer; contentType: string | null; disposition: string | null }> {
  const redirect = await fetch(link, { redirect: 'manual' });
  expect(redirect.status).toBe(302);
  const res = await fetch(redirect.headers.get('location')!);
  expect(res.status).toBe(200);
  return {
    bytes: Buffer.from(await res.arrayBuffer()),
    contentType: res.headers.get('content-type'),
    disposition: res.headers.get('content-disposition'),
  };
}

describe('report email links through the real ui-api', () => {
  it('download the follower’s own PDF and XLSX, with content matching the database', async () => {
    for (const f of followers)
      await expect(handleReportRequested(fx.deps, { period: PERIOD, followerId: f.id })).resolves.toBe('sent');

    for (const f of followers) {
      const mails = api.smtp.messages.filter((m) => m.to.includes(f.email));
      expect(mails).toHaveLength(1);
      const links = [...mails[0]!.text.matchAll(new RegExp(`${api.url}/r/[\\w.-]+`, 'g'))].map((m) => m[0]);
      expect(links).toHaveLength(2);
      const [pdf, xlsx] = await Promise.all(links.map(download));

      const files = await fx.db.prisma.artifactFile.findMany({
        where: { ownerId: f.id },
        orderBy: { objectKey: 'asc' },
      });
      const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
      expect([sha(pdf!.bytes), sha(xlsx!.bytes)]).toEqual(files.map((x) => x.sha256));

      expect(pdf!.bytes.subarray(0, 4).toString()).toBe('%PDF');
      expect(pdf!.contentType).toBe('application/pdf');
      expect(pdf!.disposition).toContain(`pulse-report-${PERIOD}.pdf`);
      expect(pdfText(pdf!.bytes)).toContain(f.name);

      expect(xlsx!.bytes.subarray(0, 2).toString()).toBe('PK');
      const wb = await readWorkbook(xlsx!.bytes);
      const { rows } = await fx.db.pool.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM telemetry WHERE device_id = ANY($1) AND ts >= '2026-10-01Z' AND ts < '2026-11-01Z'`,
        [f.devices],
      );
      const summary = wb.getWorksheet('Summary')!;
      let total = 0;
      for (let r = 2; r <= summary.rowCount; r++) total += summary.getRow(r).getCell(5).value as number;
      expect(total).toBe(rows[0]!.n);
    }
  });
});
