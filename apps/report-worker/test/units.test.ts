import { describe, expect, it } from '@jest/globals';
import { loadConfig } from '@pulse/config';
import { reportSettings, reportWorkerKeys } from '../src/config';
import { chooseFallback, composeReportEmail } from '../src/delivery/email';
import type { ReportFile } from '../src/storage/report-files';

const SECRET = 'unit-secret-0123456789abcdef';

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
      bounceTag: 't',
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
  const base = {};
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
    const keys = { REPORT_LINK_SECRET: SECRET, UNSUBSCRIBE_SIGNING_SECRET: `${SECRET}-u` };
    expect(loadConfig({ keys: reportWorkerKeys }, keys).keys.reportLinks.current.secret).toBe(SECRET);
    expect(() => loadConfig({ keys: reportWorkerKeys }, { ...keys, REPORT_LINK_SECRET: 'short' })).toThrow(
      /REPORT_LINK_SECRET/,
    );
  });
});
