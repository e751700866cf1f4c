import { createHmac } from 'node:crypto';
import { z } from 'zod';

/** One HMAC key: `id` travels in every token it signs, so the verifier knows which key to try. */
export interface SigningKey {
  id: string;
  secret: string;
}

/**
 * The keys of one purpose: `current` signs, `current` and `previous` verify. Rotation: move the old
 * value to `<NAME>_PREVIOUS`, set a new `<NAME>`; once every token signed with the old key has expired
 * (report links: 30 days), remove `<NAME>_PREVIOUS`.
 */
export interface SigningKeys {
  /** The variable the keys come from, for messages (never the value). */
  name: string;
  current: SigningKey;
  previous?: SigningKey;
}

/**
 * Names a key was read from before it got its own purpose-specific variable: still accepted, so an
 * existing deployment keeps working, but the new name wins when both are set.
 */
const FORMER_NAMES: Record<string, string> = { REPORT_LINK_SECRET: 'LINK_SIGNING_SECRET' };

const MIN_SECRET = 16;

/**
 * A short, stable id derived from the secret (a one-way HMAC, so it reveals nothing usable about the
 * key): no extra variable to keep in step with the secret, and two deployments with the same key agree.
 */
export function signingKeyId(secret: string): string {
  return createHmac('sha256', secret).update('pulse signing key id').digest('base64url').slice(0, 8);
}

export function signingKey(secret: string): SigningKey {
  return { id: signingKeyId(secret), secret };
}

/** A keyring from literal secrets (tests, tools); apps read theirs with signingKeysConfig. */
export function signingKeys(name: string, current: string, previous?: string): SigningKeys {
  return { name, current: signingKey(current), ...(previous ? { previous: signingKey(previous) } : {}) };
}

/**
 * One config concern for an app's signing keys, declared once: `signingKeysConfig({ reportLinks:
 * 'REPORT_LINK_SECRET', otp: 'OTP_HASH_SECRET' })` reads each `NAME` (required, 16+ chars) and
 * `NAME_PREVIOUS` (optional) into a SigningKeys per purpose, and refuses one secret used for two
 * purposes (a leaked OTP key must not forge report links).
 */
export function signingKeysConfig<P extends string>(purposes: Record<P, string>) {
  const names = Object.values<string>(purposes);
  const fields: Record<string, z.ZodOptional<z.ZodString>> = {};
  for (const name of names) {
    fields[name] = z.string().min(MIN_SECRET).optional();
    fields[`${name}_PREVIOUS`] = z.string().min(MIN_SECRET).optional();
    const former = FORMER_NAMES[name];
    if (former) fields[former] = z.string().min(MIN_SECRET).optional();
  }
  const value = (e: Record<string, string | undefined>, name: string) => {
    const former = FORMER_NAMES[name];
    return e[name] ?? (former ? e[former] : undefined);
  };
  return z
    .object(fields)
    .superRefine((e, ctx) => {
      // secret -> the variable it was first seen in, and that variable's purpose
      const owner = new Map<string, { key: string; name: string }>();
      for (const name of names) {
        const current = value(e, name);
        if (!current) {
          const former = FORMER_NAMES[name];
          ctx.addIssue({
            code: 'custom',
            path: [name],
            message: `is required (${MIN_SECRET}+ chars${former ? `; formerly ${former}` : ''})`,
          });
          continue;
        }
        for (const [key, secret] of [
          [name, current],
          [`${name}_PREVIOUS`, e[`${name}_PREVIOUS`]],
        ] as const) {
          if (!secret) continue;
          const other = owner.get(secret);
          if (other && other.name !== name) {
            ctx.addIssue({
              code: 'custom',
              path: [key],
              message: `must differ from ${other.key} (one key per purpose)`,
            });
          }
          if (!other) owner.set(secret, { key, name });
        }
      }
    })
    .transform((e) => {
      const out = {} as Record<P, SigningKeys>;
      for (const [purpose, name] of Object.entries<string>(purposes)) {
        out[purpose as P] = signingKeys(name, value(e, name)!, e[`${name}_PREVIOUS`]);
      }
      return out;
    });
}
