// Value-level scrubbing: a presigned URL is a bearer credential until it expires, so wherever one
// appears in a log value (a message, an error, a nested field), its signature material is removed.
const PRESIGN_PARAM =
  /([?&](?:X-Amz-(?:Signature|Credential|Security-Token)|Signature|AWSAccessKeyId|token|sig))=[^&\s"'<>]*/gi;
const BEARER = /\b(Bearer)\s+[A-Za-z0-9._~+/=-]{8,}/g;
export const REDACTED = '[redacted]';

// Key-level redaction: these fields are secrets whatever their value looks like, at any depth and in
// any letter case (`Authorization` and `authorization` alike).
const SECRET_KEYS = new Set(
  [
    'password',
    'pass',
    'secret',
    'secretKey',
    'secretAccessKey',
    'accessKey',
    'accessKeyId',
    'authorization',
    'cookie',
    'set-cookie',
    'token',
    'sessionToken',
    'otp',
    'otpCode',
    'presignedUrl',
    'signedUrl',
    'location',
    'key',
    'objectKey',
    'apiKey',
    'hmacKey',
    'signingKey',
  ].map((k) => k.toLowerCase()),
);
export const isSecretKey = (key: string) => SECRET_KEYS.has(key.toLowerCase());

export function scrubString(value: string): string {
  if (!value.includes('=') && !value.includes('Bearer')) return value;
  return value.replace(PRESIGN_PARAM, `$1=${REDACTED}`).replace(BEARER, `$1 ${REDACTED}`);
}

const MAX_DEPTH = 6;

/**
 * Secret keys redacted and every string scrubbed, objects walked to a bounded depth. Copy-on-write:
 * a value with nothing to hide comes back as the same object, so the common log line (a few plain
 * fields) costs one pass over its keys and no allocation. This one walk replaces pino's path-based
 * `redact`, which cost ~25 µs a line here and only reached the depths it was told about.
 */
export function scrubDeep(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return scrubString(value);
  if (value === null || typeof value !== 'object') return value;
  if (depth > MAX_DEPTH) return '[too deep]';
  if (value instanceof Error) {
    return { type: value.name, message: scrubString(value.message), stack: value.stack && scrubString(value.stack) };
  }
  if (Array.isArray(value)) {
    let out: unknown[] | undefined;
    for (let i = 0; i < value.length; i++) {
      const next = scrubDeep(value[i], depth + 1);
      if (next === value[i]) continue;
      out ??= value.slice();
      out[i] = next;
    }
    return out ?? value;
  }
  // Dates, buffers and other class instances: pino serialises them by their own rules.
  const proto = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) return value;
  let out: Record<string, unknown> | undefined;
  for (const k in value) {
    const v = (value as Record<string, unknown>)[k];
    const next = isSecretKey(k) ? REDACTED : scrubDeep(v, depth + 1);
    if (next === v) continue;
    out ??= { ...(value as Record<string, unknown>) };
    out[k] = next;
  }
  return out ?? value;
}
