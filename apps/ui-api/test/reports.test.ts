import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { loadConfig } from '@pulse/config';
import { REPORT_LINK_PURPOSE, type ReportLinkScope, reportLink, updateSubscription } from '@pulse/reports';
import { signToken } from '@pulse/signed-links';
import { uiApiKeys } from '../src/config';
import { type LoggedIn, type SeededFile, startTestApp, type TestApp, whileTableMissing } from './harness';

const DAY_MS = 86_400_000;
let app: TestApp;
let alice: LoggedIn;
let admin: LoggedIn;
let pdf: SeededFile;
let xlsx: SeededFile;

/** A report link as report-worker mints it (30 days), as a path on the API. */
function link(scope: ReportLinkScope): string {
  return new URL(reportLink(scope, { keys: app.config.keys.reportLinks, publicBaseUrl: app.url, now: new Date() }))
    .pathname;
}
const aliceOct = (format: 'pdf' | 'xlsx' = 'pdf'): ReportLinkScope => ({
  followerId: alice.user.id,
  period: '2026-10',
  format,
});

async function seedReport(ownerId: string, period: string) {
  const bucket = app.config.s3.buckets.reports;
  const p = await app.seed.file({
    ownerId,
    bucket,
    kind: 'report',
    filename: `pulse-report-${period}.pdf`,
    contentType: 'application/pdf',
    body: '%PDF-1.7 test',
  });
  const x = await app.seed.file({
    ownerId,
    bucket,
    kind: 'report',
    filename: `pulse-report-${period}.xlsx`,
    contentType: 'application/zip',
    body: 'PK\u0003\u0004 test',
  });
  await app.db.prisma.reportDelivery.create({
    data: {
      followerId: ownerId,
      reportPeriod: period,
      status: 'sent',
      emailSent: true,
      sentAt: new Date(),
      storageUploaded: true,
      pdfFileId: p.id,
      xlsxFileId: x.id,
      attempts: 1,
    },
  });
  return [p, x] as const;
}

beforeAll(async () => {
  app = await startTestApp();
  alice = await app.login('alice-reports@example.com', { name: 'Alice' });
  admin = await app.login('admin-reports@example.com', { role: 'admin' });
  [pdf, xlsx] = await seedReport(alice.user.id, '2026-10');
  await app.db.prisma.device.create({ data: { id: 'rep-dev-1', name: 'Reports device' } });
  await app.db.prisma.deviceFollow.create({ data: { userId: alice.user.id, deviceId: 'rep-dev-1' } });
});
afterAll(async () => {
  await app?.close();
});

describe('GET /api/v1/reports', () => {
  it('lists my reports with API download links, and only mine', async () => {
    await seedReport(admin.user.id, '2026-09');
    const res = await app.request('/api/v1/reports', { token: alice.token });
    expect(res.status).toBe(200);
    const { items } = (await res.json()) as { items: Array<Record<string, unknown>> };
    expect(items).toHaveLength(1);
    expect(items[0]).toMatchObject({
      period: '2026-10',
      status: 'sent',
      emailSent: true,
      storageUploaded: true,
      files: [
        {
          id: pdf.id,
          kind: 'pdf',
          filename: 'pulse-report-2026-10.pdf',
          downloadUrl: `/api/v1/files/${pdf.id}/download`,
        },
        {
          id: xlsx.id,
          kind: 'xlsx',
          filename: 'pulse-report-2026-10.xlsx',
          downloadUrl: `/api/v1/files/${xlsx.id}/download`,
        },
      ],
    });
    expect((await app.request('/api/v1/reports')).status).toBe(401);
  });
});

describe('POST /api/v1/reports/run', () => {
  it('is for administrators only', async () => {
    const res = await app.request('/api/v1/reports/run', {
      method: 'POST',
      token: alice.token,
      json: { period: '2026-10' },
    });
    expect(res.status).toBe(403);
    expect(await res.json()).toMatchObject({ error: { code: 'admin_only' } });
  });

  it('rejects a malformed period and an unknown follower', async () => {
    const bad = await app.request('/api/v1/reports/run', {
      method: 'POST',
      token: admin.token,
      json: { period: '2026-13' },
    });
    expect(bad.status).toBe(400);
    const unknown = await app.request('/api/v1/reports/run', {
      method: 'POST',
      token: admin.token,
      json: { period: '2026-10', followerId: '00000000-0000-4000-8000-000000000000' },
    });
    expect(unknown.status).toBe(404);
  });

  it('requests one report per follower through the outbox; resend resets sent deliveries to pending', async () => {
    const res = await app.request('/api/v1/reports/run', {
      method: 'POST',
      token: admin.token,
      json: { period: '2026-10' },
    });
    expect(res.status).toBe(202);
    const body = (await res.json()) as { requested: number; runId: string };
    expect(body.requested).toBe(1);
    const rows = await app.db.prisma.outboxEvent.findMany({ where: { msgId: { endsWith: body.runId } } });
    expect(rows.map((r) => r.payload)).toEqual([{ period: '2026-10', followerId: alice.user.id }]);
    const delivery = () =>
      app.db.prisma.reportDelivery.findUniqueOrThrow({
        where: { followerId_reportPeriod: { followerId: alice.user.id, reportPeriod: '2026-10' } },
      });
    expect((await delivery()).status).toBe('sent');

    const resend = await app.request('/api/v1/reports/run', {
      method: 'POST',
      cookie: admin.cookie,
      json: { period: '2026-10', followerId: alice.user.id, resend: true },
    });
    expect(resend.status).toBe(202);
    expect((await delivery()).status).toBe('pending');
    await app.db.prisma.reportDelivery.update({
      where: { followerId_reportPeriod: { followerId: alice.user.id, reportPeriod: '2026-10' } },
      data: { status: 'sent' },
    });
  });
  it('runs an ISO week for the weekly subscribers and a month for the monthly ones', async () => {
    const wes = await app.login('wes-weekly-run@example.com', { name: 'Wes' });
    await app.db.prisma.deviceFollow.create({ data: { userId: wes.user.id, deviceId: 'rep-dev-1' } });
    await updateSubscription(app.db, wes.user.id, { frequency: 'weekly' }, { method: 'settings' });
    const run = async (period: string) => {
      const res = await app.request('/api/v1/reports/run', { method: 'POST', token: admin.token, json: { period } });
      expect(res.status).toBe(202);
      const { runId } = (await res.json()) as { runId: string };
      const rows = await app.db.prisma.outboxEvent.findMany({ where: { msgId: { endsWith: runId } } });
      return rows.map((r) => (r.payload as { followerId: string }).followerId);
    };
    expect(await run('2026-W44')).toEqual([wes.user.id]);
    expect(await run('2026-11')).toEqual([alice.user.id]);
    const bad = await app.request('/api/v1/reports/run', {
      method: 'POST',
      token: admin.token,
      json: { period: '2025-W53' },
    });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ error: { code: 'validation_error' } });
  });
});

describe('GET /r/:token (report email links)', () => {
  it('redirects to a fresh presigned URL (at most 1 h) that serves the file', async () => {
    const res = await app.request(link(aliceOct()));
    expect(res.status).toBe(302);
    expect(res.headers.get('cache-control')).toBe('no-store');
    const location = res.headers.get('location')!;
    const expires = Number(new URL(location).searchParams.get('X-Amz-Expires'));
    expect(expires).toBeGreaterThan(0);
    expect(expires).toBeLessThanOrEqual(3600);
    const file = await fetch(location);
    expect(file.status).toBe(200);
    expect(Buffer.from(await file.arrayBuffer())).toEqual(pdf.body);
    expect(app.logs.text).not.toContain(location);
  });

  it('answers an expired link with a readable 410 page', async () => {
    const url = link(aliceOct('xlsx'));
    app.clock.advance(31 * DAY_MS);
    try {
      const res = await app.request(url);
      expect(res.status).toBe(410);
      expect(res.headers.get('content-type')).toMatch(/text\/html/);
      expect(await res.text()).toContain('This link has expired');
    } finally {
      app.clock.reset();
    }
  });

  it('answers a tampered link with a readable 404 page', async () => {
    const url = link(aliceOct());
    const [kid, body, mac] = url.slice(3).split('.') as [string, string, string];
    const forgedBody = Buffer.from(
      JSON.stringify({ s: `${admin.user.id}/2026-09/pdf`, p: REPORT_LINK_PURPOSE, e: 9_999_999_999 }),
    ).toString('base64url');
    for (const tampered of [
      `/r/${kid}.${forgedBody}.${mac}`,
      `/r/${kid}.${body}.${mac.slice(0, -2)}AA`,
      `/r/${body}.${mac}`,
      '/r/nonsense',
    ]) {
      const res = await app.request(tampered);
      expect(res.status).toBe(404);
      expect(res.headers.get('content-type')).toMatch(/text\/html/);
      expect(await res.text()).toContain('Link not found');
    }
  });

  it('answers a link to a deleted file with 410', async () => {
    const [gonePdf, goneRow] = await seedReport(admin.user.id, '2026-08');
    await app.db.prisma.artifactFile.update({
      where: { id: gonePdf.id },
      data: { status: 'deleted', deletedAt: new Date() },
    });
    const adminAug = { followerId: admin.user.id, period: '2026-08' };
    expect((await app.request(link({ ...adminAug, format: 'pdf' }))).status).toBe(410);
    await app.db.prisma.reportDelivery.deleteMany({ where: { xlsxFileId: goneRow.id } });
    await app.db.prisma.artifactFile.delete({ where: { id: goneRow.id } });
    const res = await app.request(link({ ...adminAug, format: 'xlsx' }));
    expect(res.status).toBe(410);
    expect(await res.text()).toContain('no longer available');
  });

  it('answers a failure on our side with the readable page, logged by route pattern without the token', async () => {
    const url = link(aliceOct());
    const token = url.slice(3);
    const before = app.logs.lines.length;
    // A real database failure mid-request: the files table is briefly not there.
    const res = await whileTableMissing(app, 'artifact_files', () => app.request(url));
    expect(res.status).toBeGreaterThanOrEqual(500);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(await res.text()).toContain('<h1>');
    const lines = app.logs.lines.slice(before).join('\n');
    expect(lines).toContain('"route":"/r/:token"');
    expect(lines).toContain('"event":"http_error"');
    expect(lines).not.toContain(token.slice(0, 20));
  });

  it('logs one access line per request: method, route pattern, status, duration; never the token', async () => {
    const url = link(aliceOct());
    const before = app.logs.lines.length;
    expect((await app.request(url)).status).toBe(302);
    const access = app.logs.lines
      .slice(before)
      .map((l) => JSON.parse(l) as Record<string, unknown>)
      .filter((l) => l.event === 'http_request');
    expect(access).toEqual([
      expect.objectContaining({ method: 'GET', route: '/r/:token', status: 302, ms: expect.any(Number) }),
    ]);
    expect(JSON.stringify(access)).not.toContain(url.slice(3, 23));
  });

  it('serves only the report file of its follower, period and format, and never reveals a file id', async () => {
    const url = link(aliceOct('xlsx'));
    expect(url).not.toContain(xlsx.id);
    expect(Buffer.from(url.slice(3).split('.')[1]!, 'base64url').toString()).not.toContain(xlsx.id);
    const res = await app.request(url);
    expect(res.status).toBe(302);
    expect(Buffer.from(await (await fetch(res.headers.get('location')!)).arrayBuffer())).toEqual(xlsx.body);

    // An authentic token of this purpose naming any other file (an upload, another user's export) or
    // another follower's or period's report finds nothing: 404/410, never that file.
    const upload = await app.seed.file({ ownerId: alice.user.id, filename: 'private.pdf', body: 'private' });
    const exp = Math.floor(Date.now() / 1000) + 3600;
    const keys = app.config.keys.reportLinks;
    const byFileId = `/r/${signToken(keys, { sub: upload.id, purpose: REPORT_LINK_PURPOSE, exp })}`;
    expect((await app.request(byFileId)).status).toBe(404);
    expect((await app.request(link({ ...aliceOct(), period: '2026-07' }))).status).toBe(410);
    expect((await app.request(link({ ...aliceOct(), followerId: admin.user.id }))).status).toBe(410);
    // A delivery row pointing at a file that is not a report of that follower is not served either.
    await app.db.prisma.reportDelivery.create({
      data: { followerId: alice.user.id, reportPeriod: '2026-06', status: 'sent', pdfFileId: upload.id },
    });
    expect((await app.request(link({ ...aliceOct(), period: '2026-06' }))).status).toBe(410);
  });

  it('keeps working across a key rotation while the previous key is configured, not after it is removed', async () => {
    const url = link(aliceOct());
    const old = app.config.keys;
    const rotated = (extra: Record<string, string>) =>
      loadConfig({ keys: uiApiKeys }, { ...app.env, REPORT_LINK_SECRET: 'the-next-report-link-secret-0123', ...extra })
        .keys;
    try {
      app.config.keys = rotated({ REPORT_LINK_SECRET_PREVIOUS: old.reportLinks.current.secret });
      expect((await app.request(url)).status).toBe(302);
      const fresh = link(aliceOct());
      expect(fresh.split('.')[0]).not.toBe(url.split('.')[0]);
      expect((await app.request(fresh)).status).toBe(302);
      app.config.keys = rotated({});
      expect((await app.request(url)).status).toBe(404);
      expect((await app.request(fresh)).status).toBe(302);
    } finally {
      app.config.keys = old;
    }
  });

  it('never logs the token', () => {
    expect(app.logs.text).not.toMatch(/\/r\/[\w-]{20,}/);
  });
});
