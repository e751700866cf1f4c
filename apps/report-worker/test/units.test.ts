import { describe, expect, it } from '@jest/globals';
import { loadConfig } from '@pulse/config';
import { verifyToken } from '@pulse/signed-links';
import { reportSettings } from '../src/config';
import { chooseFallback, composeReportEmail } from '../src/delivery/email';
import { REPORT_LINK_PURPOSE, reportLink } from '@pulse/reports';
import { daysOf, isPeriod, periodLabel } from '../src/period';
import type { ReportFile } from '../src/storage/report-files';

const SECRET = 'unit-secret-0123456789abcdef';

describe('period helpers', () => {
  it('validates periods and lists their days', () => {
    expect(isPeriod('2026-10')).toBe(true);
    expect(isPeriod('2026-13')).toBe(false);
    expect(isPeriod('2026-1')).toBe(false);
    expect(daysOf('2028-02')).toHaveLength(29);
    expect(daysOf('2026-10').at(-1)).toBe('2026-10-31');
    expect(periodLabel('2026-10')).toBe('October 2026');
  });
});

describe('report links', () => {
  it('point at the API with a 30-day token bound to the file', () => {
    const now = new Date('2026-11-01T02:00:00Z');
    const link = reportLink('file-1', { secret: SECRET, publicBaseUrl: 'https://pulse.example', now });
    expect(link).toMatch(/^https:\/\/pulse\.example\/r\/[\w-]+\.[\w-]+$/);
    const token = link.split('/r/')[1]!;
    const day29 = new Date(now.getTime() + 29 * 86_400_000);
    const day31 = new Date(now.getTime() + 31 * 86_400_000);
    expect(verifyToken(SECRET, token, { purpose: REPORT_LINK_PURPOSE, now: day29 })).toMatchObject({
      ok: true,
      claims: { sub: 'file-1' },
    });
    expect(verifyToken(SECRET, token, { purpose: REPORT_LINK_PURPOSE, now: day31 })).toEqual({
      ok: false,
      reason: 'expired',
    });
  });
});

describe('report email', () => {
  const files: ReportFile[] = [
    { kind: 'pdf', filename: 'r.pdf', contentType: 'application/pdf', body: Buffer.alloc(600) },
    { kind: 'xlsx', filename: 'r.xlsx', contentType: 'application/zip', body: Buffer.alloc(600) },
  ];

  it('attaches both files only if both fit under the cap', () => {
    expect(chooseFallback(files, 1200).kind).toBe('attachments');
    expect(chooseFallback(files, 1199).kind).toBe('deferred');
  });

  it('escapes names in the HTML body', () => {
    const mail = composeReportEmail({
      to: 'x@example.com',
      followerName: '<script>alert(1)</script>',
      period: '2026-10',
      deviceCount: 1,
      delivery: {
        kind: 'links',
        pdfUrl: 'https://a/r/1',
        xlsxUrl: 'https://a/r/2',
        validUntil: new Date('2026-12-01T00:00:00Z'),
      },
      idempotencyKey: 'k',
    });
    expect(mail.html).not.toContain('<script>');
    expect(mail.html).toContain('&lt;script&gt;');
    expect(mail.text).toContain('https://a/r/1');
    expect(mail.text).toContain('2026-12-01');
  });
});

describe('config', () => {
  const base = { LINK_SIGNING_SECRET: SECRET };
  it('defaults to 02:00 UTC on the 1st', () => {
    expect(loadConfig({ app: reportSettings }, base).app).toMatchObject({
      cron: '0 2 1 * *',
      timeZone: 'UTC',
      retentionDays: 180,
    });
  });
  it('rejects a bad cron, an unknown time zone and a short secret', () => {
    expect(() => loadConfig({ app: reportSettings }, { ...base, REPORT_CRON: 'every day' })).toThrow(/REPORT_CRON/);
    expect(() => loadConfig({ app: reportSettings }, { ...base, REPORT_TZ: 'Mars/Olympus' })).toThrow(/REPORT_TZ/);
    expect(() => loadConfig({ app: reportSettings }, { LINK_SIGNING_SECRET: 'short' })).toThrow(/LINK_SIGNING_SECRET/);
  });
});
