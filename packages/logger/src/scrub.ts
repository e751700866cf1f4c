// Value-level scrubbing: a presigned URL is a bearer credential until it expires, so wherever one
// appears in a log value (a message, an error, a nested field), its signature material is removed.
const PRESIGN_PARAM =
  /([?&](?:X-Amz-(?:Signature|Credential|Security-Token)|Signature|AWSAccessKeyId|token|sig))=[^&\s"'<>]*/gi;
const BEARER = /\b(Bearer)\s+[A-Za-z0-9._~+/=-]{8,}/g;
export const REDACTED = '[redacted]';

export function scrubString(value: string): string {
  if (!value.includes('=') && !value.includes('Bearer')) return value;
  return value.replace(PRESIGN_PARAM, `$1=${REDACTED}`).replace(BEARER, `$1 ${REDACTED}`);
}

/** Returns a copy with every string scrubbed; objects are walked to a bounded depth. */
export function scrubDeep(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return scrubString(value);
  if (depth > 6 || value === null || typeof value !== 'object') return value;
  if (value instanceof Error) {
    return { type: value.name, message: scrubString(value.message), stack: value.stack && scrubString(value.stack) };
  }
  if (Array.isArray(value)) return value.map((v) => scrubDeep(v, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = scrubDeep(v, depth + 1);
  return out;
}
