import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Compact HMAC-signed tokens for links that must outlive a presign (report emails: 30 days). `purpose` is
 * signed, so a token minted for one use can't serve another. (The local storage backend's download URLs
 * are signed by @pulse/storage's local/signing.ts, not here.)
 */
export interface TokenClaims {
  /** What the token grants access to (e.g. a file id). */
  sub: string;
  purpose: string;
  /** Expiry, seconds since the epoch. */
  exp: number;
}

export type VerifyResult = { ok: true; claims: TokenClaims } | { ok: false; reason: 'invalid' | 'expired' };

const b64url = (buf: Buffer) => buf.toString('base64url');
const mac = (secret: string, data: string) => createHmac('sha256', secret).update(data).digest();

export function signToken(secret: string, claims: TokenClaims): string {
  if (secret.length < 16) throw new Error('signing secret must be at least 16 characters');
  const body = b64url(Buffer.from(JSON.stringify({ s: claims.sub, p: claims.purpose, e: claims.exp })));
  return `${body}.${b64url(mac(secret, body))}`;
}

export function verifyToken(secret: string, token: string, options: { purpose: string; now?: Date }): VerifyResult {
  const dot = token.indexOf('.');
  if (dot <= 0 || token.length > 2048) return { ok: false, reason: 'invalid' };
  const body = token.slice(0, dot);
  const given = Buffer.from(token.slice(dot + 1), 'base64url');
  const expected = mac(secret, body);
  // Constant-time compare: a timing side channel would let an attacker forge a MAC byte by byte.
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return { ok: false, reason: 'invalid' };
  let parsed: { s?: unknown; p?: unknown; e?: unknown };
  try {
    parsed = JSON.parse(Buffer.from(body, 'base64url').toString('utf8'));
  } catch {
    return { ok: false, reason: 'invalid' };
  }
  if (typeof parsed.s !== 'string' || typeof parsed.e !== 'number' || parsed.p !== options.purpose) {
    return { ok: false, reason: 'invalid' };
  }
  const nowSec = Math.floor((options.now ?? new Date()).getTime() / 1000);
  // Expiry is checked only after the MAC: an attacker must not learn anything from a forged token.
  if (parsed.e <= nowSec) return { ok: false, reason: 'expired' };
  return { ok: true, claims: { sub: parsed.s, purpose: parsed.p, exp: parsed.e } };
}
