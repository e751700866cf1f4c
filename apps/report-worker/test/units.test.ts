import { describe, expect, it } from '@jest/globals';
import { loadConfig } from '@pulse/config';
import { verifyToken } from '@pulse/signed-links';
import { reportSettings } from '../src/config';
import { chooseFallback, composeReportEmail } from '../src/delivery/email';
import { daysOf, isPeriod, periodLabel, periodRange, REPORT_LINK_PURPOSE, reportLink } from '@pulse/reports';
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

  it('knows ISO weeks, including week 53 and weeks across a year end', () => {
    expect(isPeriod('2026-W44')).toBe(true);
    expect(isPeriod('2026-W53')).toBe(true);
    expect(isPeriod('2027-W53')).toBe(false);
    expect(isPeriod('2026-W00')).toBe(false);
    expect(periodRange('2026-W44')).toEqual({ start: '2026-10-26', end: '2026-11-02' });
    expect(periodRange('2026-W53')).toEqual({ start: '2026-12-28', end: '2027-01-04' });
    expect(periodRange('2027-W01')).toEqual({ start: '2027-01-04', end: '2027-01-11' });
    expect(daysOf('2026-W44')).toEqual([
      '2026-10-26',
      '2026-10-27',
      '2026-10-28',
      '2026-10-29',
      '2026-10-30',
      '2026-10-31',
      '2026-11-01',
    ]);
    expect(periodLabel('2026-W44')).toBe('Week 44, 2026 (Oct 26 – Nov 1)');
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
      headline: { devices: 1, readings: 3, metrics: [{ metric: 'temp<b>', count: 3, min: 1, avg: 2, max: 3 }] },
      unsubscribeUrl: 'https://a/u/tok',
      manageUrl: 'https://a/#/subscriptions',
      delivery: {
        kind: 'links',
        links: [
          { kind: 'pdf', url: 'https://a/r/1' },
          { kind: 'xlsx', url: 'https://a/r/2' },
        ],
        validUntil: new Date('2026-12-01T00:00:00Z'),
      },
      idempotencyKey: 'k',
    });
    expect(mail.html).not.toContain('<script>');
    expect(mail.html).toContain('&lt;script&gt;');
    expect(mail.html).toContain('temp&lt;b&gt;');
    expect(mail.unsubscribe).toEqual({ url: 'https://a/u/tok', mailto: undefined });
    expect(mail.text).toContain('https://a/r/1');
    expect(mail.text).toContain('2026-12-01');
  });
});

describe('config', () => {
  const base = { LINK_SIGNING_SECRET: SECRET, UNSUBSCRIBE_SIGNING_SECRET: `${SECRET}-u` };
  it('catches up 72 h by default and keeps reports 180 days', () => {
    expect(loadConfig({ app: reportSettings }, base).app).toMatchObject({
      catchUpMs: 72 * 3_600_000,
      retentionDays: 180,
    });
  });
  it('rejects a catch-up beyond a month and a short secret', () => {
    expect(() => loadConfig({ app: reportSettings }, { ...base, REPORT_CATCH_UP_HOURS: '745' })).toThrow(
      /REPORT_CATCH_UP_HOURS/,
    );
    expect(() => loadConfig({ app: reportSettings }, { ...base, LINK_SIGNING_SECRET: 'short' })).toThrow(
      /LINK_SIGNING_SECRET/,
    );
  });
});
