/** Patterns that are secrets whatever their value: SigV4 query parameters of a presigned URL. */
const ALWAYS_SECRET = ['X-Amz-Signature', 'X-Amz-Credential'];

export interface SecretHit {
  /** Which secret matched (the literal for patterns, a redacted label for values). */
  what: string;
  /** Where: the log source's name and line number. */
  source: string;
  line: number;
}

export interface LogSource {
  name: string;
  lines: readonly string[];
}

/**
 * Every log line of every source checked for presign parameters and for each secret value the test
 * saw (S3 secret key, signing secret, session tokens, OTP codes). Values are reported by label only,
 * so a failing assertion does not print the secret it found.
 */
export function scanForSecrets(sources: LogSource[], secrets: Iterable<string>): SecretHit[] {
  const values = [...new Set(secrets)].filter((s) => s.length >= 6);
  // A 6-digit OTP is also a substring of many timestamps; only a standalone number counts.
  const matchers = values.map((value) =>
    /^\d+$/.test(value)
      ? (text: string) => new RegExp(`(?<!\\d)${value}(?!\\d)`).test(text)
      : (text: string) => text.includes(value),
  );
  const hits: SecretHit[] = [];
  for (const source of sources) {
    source.lines.forEach((text, i) => {
      const lower = text.toLowerCase();
      for (const pattern of ALWAYS_SECRET) {
        if (lower.includes(pattern.toLowerCase())) hits.push({ what: pattern, source: source.name, line: i + 1 });
      }
      matchers.forEach((matches, n) => {
        if (matches(text))
          hits.push({ what: `secret #${n} (${values[n]!.length} chars)`, source: source.name, line: i + 1 });
      });
    });
  }
  return hits;
}
