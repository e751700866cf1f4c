import { describe, expect, it } from '@jest/globals';
import { signToken, verifyToken } from '../src/index';

const secret = 'a-long-enough-test-secret';
const now = new Date('2026-11-01T00:00:00Z');
const exp = Math.floor(now.getTime() / 1000) + 30 * 86400;

describe('signed tokens', () => {
  it('round-trips claims for the right purpose', () => {
    const t = signToken(secret, { sub: 'file-1', purpose: 'report-link', exp });
    expect(verifyToken(secret, t, { purpose: 'report-link', now })).toEqual({
      ok: true,
      claims: { sub: 'file-1', purpose: 'report-link', exp },
    });
  });

  it('rejects tampering, another purpose, another secret and garbage as invalid', () => {
    const t = signToken(secret, { sub: 'file-1', purpose: 'report-link', exp });
    const [body, sig] = t.split('.') as [string, string];
    const forgedBody = Buffer.from(JSON.stringify({ s: 'file-2', p: 'report-link', e: exp })).toString('base64url');
    const flipped = sig.slice(0, -2) + (sig.endsWith('AA') ? 'BB' : 'AA');
    for (const bad of [`${forgedBody}.${sig}`, `${body}.${flipped}`, 'x', '', '.', `${body}.`]) {
      expect(verifyToken(secret, bad, { purpose: 'report-link', now })).toEqual({ ok: false, reason: 'invalid' });
    }
    expect(verifyToken(secret, t, { purpose: 'download', now })).toEqual({ ok: false, reason: 'invalid' });
    expect(verifyToken('another-secret-entirely', t, { purpose: 'report-link', now })).toEqual({
      ok: false,
      reason: 'invalid',
    });
  });

  it('reports expiry only for an authentic token', () => {
    const t = signToken(secret, { sub: 'file-1', purpose: 'report-link', exp });
    const later = new Date((exp + 1) * 1000);
    expect(verifyToken(secret, t, { purpose: 'report-link', now: later })).toEqual({ ok: false, reason: 'expired' });
  });

  it('refuses a short secret', () => {
    expect(() => signToken('short', { sub: 'x', purpose: 'p', exp })).toThrow(/at least 16/);
  });
});
