import { describe, expect, it } from '@jest/globals';
import { signingKeys } from '@pulse/config';
import { signToken, verifyToken } from '../src/index';

const keys = signingKeys('TEST_SECRET', 'a-long-enough-test-secret');
const now = new Date('2026-11-01T00:00:00Z');
const exp = Math.floor(now.getTime() / 1000) + 30 * 86400;

describe('signed tokens', () => {
  it('round-trips claims for the right purpose and names the key that signed', () => {
    const t = signToken(keys, { sub: 'file-1', purpose: 'report-link', exp });
    expect(t.split('.')[0]).toBe(keys.current.id);
    expect(verifyToken(keys, t, { purpose: 'report-link', now })).toEqual({
      ok: true,
      claims: { sub: 'file-1', purpose: 'report-link', exp },
    });
  });

  it('rejects tampering, another purpose, another secret and garbage as invalid', () => {
    const t = signToken(keys, { sub: 'file-1', purpose: 'report-link', exp });
    const [kid, body, sig] = t.split('.') as [string, string, string];
    const forgedBody = Buffer.from(JSON.stringify({ s: 'file-2', p: 'report-link', e: exp })).toString('base64url');
    const flipped = sig.slice(0, -2) + (sig.endsWith('AA') ? 'BB' : 'AA');
    for (const bad of [
      `${kid}.${forgedBody}.${sig}`,
      `${kid}.${body}.${flipped}`,
      `${body}.${sig}`,
      `other.${body}.${sig}`,
      `${kid}..${sig}`,
      'x',
      '',
      '.',
      '..',
      `${kid}.${body}.`,
    ]) {
      expect(verifyToken(keys, bad, { purpose: 'report-link', now })).toEqual({ ok: false, reason: 'invalid' });
    }
    expect(verifyToken(keys, t, { purpose: 'download', now })).toEqual({ ok: false, reason: 'invalid' });
    expect(
      verifyToken(signingKeys('TEST_SECRET', 'another-secret-entirely'), t, { purpose: 'report-link', now }),
    ).toEqual({ ok: false, reason: 'invalid' });
  });

  it('reports expiry only for an authentic token', () => {
    const t = signToken(keys, { sub: 'file-1', purpose: 'report-link', exp });
    const later = new Date((exp + 1) * 1000);
    expect(verifyToken(keys, t, { purpose: 'report-link', now: later })).toEqual({ ok: false, reason: 'expired' });
  });

  it('refuses a short secret', () => {
    expect(() => signToken(signingKeys('X', 'short'), { sub: 'x', purpose: 'p', exp })).toThrow(/at least 16/);
  });

  it('accepts a token of the previous key during a rotation, and no longer once that key is removed', () => {
    const before = signingKeys('TEST_SECRET', 'the-old-secret-0123456789');
    const old = signToken(before, { sub: 'file-1', purpose: 'report-link', exp });
    const rotating = signingKeys('TEST_SECRET', 'the-new-secret-0123456789', 'the-old-secret-0123456789');
    const fresh = signToken(rotating, { sub: 'file-2', purpose: 'report-link', exp });
    expect(fresh.split('.')[0]).not.toBe(old.split('.')[0]);
    expect(verifyToken(rotating, old, { purpose: 'report-link', now })).toMatchObject({ ok: true });
    expect(verifyToken(rotating, fresh, { purpose: 'report-link', now })).toMatchObject({ ok: true });
    const after = signingKeys('TEST_SECRET', 'the-new-secret-0123456789');
    expect(verifyToken(after, old, { purpose: 'report-link', now })).toEqual({ ok: false, reason: 'invalid' });
    expect(verifyToken(after, fresh, { purpose: 'report-link', now })).toMatchObject({ ok: true });
  });
});
