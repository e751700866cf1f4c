import { createHmac, randomInt, timingSafeEqual } from 'node:crypto';
import type { SigningKeys } from '@pulse/config';

/** A 6-digit code from the CSPRNG (leading zeros kept: 000123 is as likely as 123456). */
export function newOtpCode(): string {
  return String(randomInt(0, 1_000_000)).padStart(6, '0');
}

/**
 * The stored form of a code. Keyed with the OTP key (OTP_HASH_SECRET, its own) and salted with the
 * email: a leaked otp_codes table can't be brute-forced offline (only 10^6 codes), and equal codes for
 * two people hash differently.
 */
export function hashOtpCode(keys: SigningKeys, email: string, code: string): string {
  return hmacHex(keys.current.secret, email, code);
}

/**
 * Whether `code` is the one behind `stored`, under the current or the previous OTP key (a code sent
 * just before a rotation still works). Constant-time per comparison; a cleared hash never matches.
 */
export function otpCodeMatches(stored: string, keys: SigningKeys, email: string, code: string): boolean {
  const a = Buffer.from(stored, 'hex');
  if (a.length !== 32) return false;
  return [keys.current, keys.previous].some(
    (key) => key && timingSafeEqual(a, Buffer.from(hmacHex(key.secret, email, code), 'hex')),
  );
}

function hmacHex(secret: string, email: string, code: string): string {
  return createHmac('sha256', `otp:${secret}`).update(`${email}\n${code}`).digest('hex');
}

export const normaliseEmail = (email: string) => email.trim().toLowerCase();
