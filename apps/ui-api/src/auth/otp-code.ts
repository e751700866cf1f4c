import { createHmac, randomInt, timingSafeEqual } from 'node:crypto';

/** A 6-digit code from the CSPRNG (leading zeros kept: 000123 is as likely as 123456). */
export function newOtpCode(): string {
  return String(randomInt(0, 1_000_000)).padStart(6, '0');
}

/**
 * The stored form of a code. Keyed with a server secret and salted with the email: a leaked
 * otp_codes table can't be brute-forced offline (only 10^6 codes), and equal codes for two
 * people hash differently.
 */
export function hashOtpCode(secret: string, email: string, code: string): string {
  return createHmac('sha256', `otp:${secret}`).update(`${email}\n${code}`).digest('hex');
}

/** Constant-time comparison of two hex digests (a cleared hash never matches). */
export function otpHashMatches(stored: string, candidate: string): boolean {
  const a = Buffer.from(stored, 'hex');
  const b = Buffer.from(candidate, 'hex');
  return a.length === 32 && a.length === b.length && timingSafeEqual(a, b);
}

export const normaliseEmail = (email: string) => email.trim().toLowerCase();
