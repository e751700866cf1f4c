import fc from 'fast-check';

/** Strings attackers and broken clients send: traversal, injection, control characters, odd Unicode. */
const KNOWN_BAD = [
  '',
  ' ',
  '../../etc/passwd',
  '..\\..\\windows\\win.ini',
  '%2e%2e%2f%2e%2e%2fetc%2fpasswd',
  '/etc/passwd',
  'a\u0000b',
  '\r\nSet-Cookie: pulse_session=x',
  '<script>alert(1)</script>',
  "' OR 1=1 --",
  '"; DROP TABLE users; --',
  // biome-ignore lint/suspicious/noTemplateCurlyInString: a literal log4shell probe, not a template
  '${jndi:ldap://127.0.0.1/a}',
  '{{7*7}}',
  'null',
  'undefined',
  'NaN',
  '-1',
  '0',
  '1e309',
  '9999-99-99T99:99:99Z',
  '2026-13-45',
  '00000000-0000-0000-0000-000000000000',
  'ffffffff-ffff-ffff-ffff-ffffffffffff',
  '123e4567-e89b-12d3-a456-42661417400',
  '123e4567-e89b-12d3-a456-4266141740000',
  '\u202etxt.exe',
  '\ufeff',
  '\ud800',
  '😀'.repeat(64),
  'Zoë Ångström/ünïcødé',
  'a'.repeat(5000),
  '__proto__',
  'constructor',
];

export const hostileString: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(...KNOWN_BAD),
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.uuid(),
  fc.string({ minLength: 1000, maxLength: 3000 }),
);

/** Any JSON value, biased to the shapes that break validators: wrong types, huge numbers, nesting. */
export const hostileJson: fc.Arbitrary<unknown> = fc.oneof(
  hostileString,
  fc.integer(),
  fc.constantFrom(Number.MAX_SAFE_INTEGER, -Number.MAX_SAFE_INTEGER, 2 ** 63, -0, 1e308, 0.1),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.boolean(),
  fc.constant(null),
  fc.array(hostileString, { maxLength: 5 }),
  fc.dictionary(hostileString, hostileString, { maxKeys: 4 }),
  fc.jsonValue({ maxDepth: 3 }),
);

/** A body for a schema with these top-level keys: known keys with hostile values, or anything at all. */
export function hostileBody(keys: string[]): fc.Arbitrary<unknown> {
  const shaped = keys.length
    ? fc.record(Object.fromEntries(keys.map((k) => [k, hostileJson])), { requiredKeys: [] })
    : fc.constant({});
  const withExtra = shaped.chain((body) =>
    fc
      .dictionary(fc.constantFrom('__proto__', 'constructor', 'extra', 'role', 'userId', 'ownerId'), hostileJson, {
        maxKeys: 2,
      })
      .map((extra) => (typeof body === 'object' && body ? { ...extra, ...body } : body)),
  );
  return fc.oneof(shaped, withExtra, hostileJson);
}

/** Lone surrogates become U+FFFD: what UTF-8 (URLs, Postgres text) makes of them anyway. */
export function wellFormed(s: string): string {
  return s.replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, '\ufffd');
}

/** Percent-encoding for any string, even one with lone surrogates. */
export function encode(s: string): string {
  return encodeURIComponent(wellFormed(s));
}

/** A path segment: hostile text percent-encoded, or raw tricks (traversal, broken %-escapes). */
export const hostileSegment: fc.Arbitrary<string> = fc.oneof(
  hostileString.map((s) => encode(s.slice(0, 1500))).filter((s) => s.length > 0),
  fc.constantFrom('..', '%2e%2e', '..%2f..%2fetc%2fpasswd', '%00', '%ZZ', '%E0%A4%A', '%C0%AE%C0%AE', 'a;b', '*'),
);

/** Query parameters: the route's own names with hostile values, plus strangers and repeated keys. */
export function hostileQuery(keys: string[]): fc.Arbitrary<string> {
  const name = keys.length
    ? fc.oneof(fc.constantFrom(...keys), fc.string({ maxLength: 8 }))
    : fc.string({ maxLength: 8 });
  return fc
    .array(fc.tuple(name, hostileString), { maxLength: 4 })
    .map((pairs) => pairs.map(([k, v]) => `${encode(k)}=${encode(v.slice(0, 1500))}`).join('&'));
}

/** Who sends the request: the property must hold for every kind of caller. */
export type Caller = 'user' | 'admin' | 'anonymous' | 'garbage-token' | 'cookie-no-csrf';
export const caller: fc.Arbitrary<Caller> = fc.constantFrom(
  'user',
  'admin',
  'anonymous',
  'garbage-token',
  'cookie-no-csrf',
);
