import { describe, expect, it } from '@jest/globals';
import { signingKeys } from '@pulse/config';
import { signToken, verifyToken } from '@pulse/signed-links';
import {
  daysOf,
  frequencyOf,
  isPeriod,
  periodLabel,
  periodRange,
  previousPeriod,
  REPORT_LINK_PURPOSE,
  readReportLink,
  readUnsubscribeToken,
  reportLink,
  UNSUBSCRIBE_PURPOSE,
  unsubscribeLink,
  unsubscribeMailto,
  unsubscribeTokenInSubject,
} from '../src/index';

const KEYS = signingKeys('REPORT_LINK_SECRET', 'unit-secret-0123456789abcdef');
const UNSUBSCRIBE_KEYS = signingKeys('UNSUBSCRIBE_SIGNING_SECRET', 'unit-unsubscribe-secret-0123456789');
const SCOPE = { followerId: '6f1c1d4e-8a47-4c86-9a51-0f3a7f1d2b90', period: '2026-10', format: 'pdf' } as const;

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
  it('point at the API with a 30-day token bound to one report of one follower, not to a file id', () => {
    const now = new Date('2026-11-01T02:00:00Z');
    const link = reportLink(SCOPE, { keys: KEYS, publicBaseUrl: 'https://pulse.example', now });
    expect(link).toMatch(/^https:\/\/pulse\.example\/r\/[\w-]+\.[\w-]+\.[\w-]+$/);
    const token = link.split('/r/')[1]!;
    const day29 = new Date(now.getTime() + 29 * 86_400_000);
    const day31 = new Date(now.getTime() + 31 * 86_400_000);
    expect(readReportLink(KEYS, token, day29)).toEqual({ ok: true, scope: SCOPE });
    expect(readReportLink(KEYS, token, day31)).toEqual({ ok: false, reason: 'expired' });
  });

  it('refuses an authentic token of this purpose whose subject is not a report scope (e.g. a bare file id)', () => {
    const now = new Date('2026-11-01T02:00:00Z');
    const exp = Math.floor(now.getTime() / 1000) + 3600;
    for (const sub of [
      '0b7e3c52-2f7b-4d0e-9b43-5c1d7a3e9f10',
      `${SCOPE.followerId}/2026-13/pdf`,
      `${SCOPE.followerId}/2026-10/exe`,
    ]) {
      const token = signToken(KEYS, { sub, purpose: REPORT_LINK_PURPOSE, exp });
      expect(readReportLink(KEYS, token, now)).toEqual({ ok: false, reason: 'invalid' });
    }
  });
});

describe('previousPeriod', () => {
  it('takes the period just ended in the subscription time zone', () => {
    const slot = new Date('2026-11-01T02:00:00Z');
    expect(previousPeriod(slot, 'Europe/Berlin')).toBe('2026-10');
    // Still 31 October in Los Angeles: October is not over there.
    expect(previousPeriod(slot, 'America/Los_Angeles')).toBe('2026-09');
    expect(previousPeriod(new Date('2027-01-01T00:30:00Z'), 'UTC')).toBe('2026-12');
  });

  it('finds the ISO week before, across a year end with week 53', () => {
    // Monday 4 January 2027 is in 2027-W01; the week before is 2026-W53.
    expect(previousPeriod(new Date('2027-01-04T06:00:00Z'), 'UTC', 'weekly')).toBe('2026-W53');
    expect(previousPeriod(new Date('2026-11-01T12:00:00Z'), 'UTC', 'weekly')).toBe('2026-W43');
    expect(frequencyOf(previousPeriod(new Date('2026-06-15T00:00:00Z'), 'Asia/Tokyo', 'weekly'))).toBe('weekly');
  });

  it('refuses what is not a period', () => {
    expect(frequencyOf('2026-W1')).toBeNull();
    expect(() => periodRange('2027-W53')).toThrow(/not a report period/);
  });
});

describe('unsubscribe links', () => {
  it('carry their own purpose, so a report link cannot unsubscribe and the reverse', () => {
    const now = new Date('2026-11-01T02:00:00Z');
    const link = unsubscribeLink('user-1', { keys: UNSUBSCRIBE_KEYS, publicBaseUrl: 'https://pulse.example', now });
    const token = link.split('/u/')[1]!;
    expect(verifyToken(UNSUBSCRIBE_KEYS, token, { purpose: UNSUBSCRIBE_PURPOSE, now })).toMatchObject({
      ok: true,
      claims: { sub: 'user-1' },
    });
    // Same key, other purpose: still refused (and in the apps the keys differ too).
    const sameKey = unsubscribeLink('user-1', { keys: KEYS, publicBaseUrl: 'https://pulse.example', now });
    expect(readReportLink(KEYS, sameKey.split('/u/')[1]!, now)).toMatchObject({ ok: false });
    const report = reportLink(SCOPE, { keys: KEYS, publicBaseUrl: 'https://pulse.example', now }).split('/r/')[1]!;
    expect(verifyToken(KEYS, report, { purpose: UNSUBSCRIBE_PURPOSE, now })).toMatchObject({ ok: false });
    expect(verifyToken(UNSUBSCRIBE_KEYS, report, { purpose: UNSUBSCRIBE_PURPOSE, now })).toMatchObject({ ok: false });
  });

  it('put the same signed token in the mailto subject, which only the unsubscribe key accepts', () => {
    const now = new Date('2026-11-01T02:00:00Z');
    const mailto = new URL(
      unsubscribeMailto('user-1', { keys: UNSUBSCRIBE_KEYS, mailbox: 'unsub@pulse.example', now }),
    );
    expect(mailto.protocol + mailto.pathname).toBe('mailto:unsub@pulse.example');
    const subject = mailto.searchParams.get('subject')!;
    const token = unsubscribeTokenInSubject(subject)!;
    expect(readUnsubscribeToken(UNSUBSCRIBE_KEYS, token, now)).toEqual({ ok: true, userId: 'user-1' });
    // A client may prefix the subject or fold it; the token is still found.
    expect(unsubscribeTokenInSubject(`Re: ${subject.replace(' ', '\t ')}`)).toBe(token);
    expect(unsubscribeTokenInSubject('please unsubscribe me')).toBeUndefined();
    expect(readUnsubscribeToken(KEYS, token, now)).toMatchObject({ ok: false });
    const report = reportLink(SCOPE, { keys: UNSUBSCRIBE_KEYS, publicBaseUrl: 'https://p', now }).split('/r/')[1]!;
    expect(readUnsubscribeToken(UNSUBSCRIBE_KEYS, report, now)).toMatchObject({ ok: false });
    expect(readUnsubscribeToken(UNSUBSCRIBE_KEYS, token, new Date('2028-01-01T00:00:00Z'))).toEqual({
      ok: false,
      reason: 'expired',
    });
  });
});
