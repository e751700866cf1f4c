import { createHmac, timingSafeEqual } from 'node:crypto';
import type { SigningKey, SigningKeys } from '@pulse/config';

export type { SigningKey, SigningKeys };

/**
 * Compact HMAC-signed tokens for links that must outlive a presign (report emails: 30 days):
 * `{keyId}.{claims}.{mac}`. `purpose` is signed, so a token minted for one use can't serve another;
 * the key id picks the key among the purpose's current and previous one, so links minted before a
 * rotation keep working until the previous key is removed. (The local storage backend's download URLs
 * are signed by @pulse/storage's local/signing.ts, not here.)
 */
export interface TokenClaims {
  /** What the token grants access to (a user id, a report scope…). */
  sub: string;
  purpose: string;
  /** Expiry, seconds since the epoch. */
  exp: number;
}

export type VerifyResult = { ok: true; claims: TokenClaims } | { ok: false; reason: 'invalid' | 'expired' };

const b64url = (buf: Buffer) => buf.toString('base64url');
const mac = (secret: string, data: string) => createHmac('sha256', secret).update(data).digest();
const KEY_ID = /^[A-Za-z0-9_-]{1,32}$/;

/** Signs with the current key of `keys`. */
export function signToken(keys: SigningKeys, claims: TokenClaims): string {
  const { id, secret } = keys.current;
  if (secret.length < 16) throw new Error('signing secret must be at least 16 characters');
  if (!KEY_ID.test(id)) throw new Error('signing key id must be 1-32 base64url characters');
  const body = b64url(Buffer.from(JSON.stringify({ s: claims.sub, p: claims.purpose, e: claims.exp })));
  const signed = `${id}.${body}`;
  return `${signed}.${b64url(mac(secret, signed))}`;
}

export function verifyToken(keys: SigningKeys, token: string, options: { purpose: string; now?: Date }): VerifyResult {
  const parts = token.length > 2048 ? [] : token.split('.');
  if (parts.length !== 3) return { ok: false, reason: 'invalid' };
  const [id, body, sig] = parts as [string, string, string];
  // An unknown key id (never configured, or a previous key since removed) is simply not a valid token.
  const key: SigningKey | undefined = [keys.current, keys.previous].find((k) => k?.id === id);
  if (!key || !body) return { ok: false, reason: 'invalid' };
  const given = Buffer.from(sig, 'base64url');
  const expected = mac(key.secret, `${id}.${body}`);
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
