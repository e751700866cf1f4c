export type DispositionType = 'attachment' | 'inline';

/**
 * Characters no filename needs and that make one lie about itself: C0/C1 controls and DEL, the bidi
 * embeddings, overrides and isolates (U+202E shows `\u202Ecod.exe` as `exe.doc`), the implicit direction
 * marks, zero-width characters and the line/paragraph separators.
 */
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are exactly what is matched
const DECEPTIVE_FILENAME_CHARS = /[\u0000-\u001f\u007f-\u009f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]/g;

/** `name` without the characters of DECEPTIVE_FILENAME_CHARS (they are removed, not replaced). */
export function stripDeceptiveChars(name: string): string {
  return name.replace(DECEPTIVE_FILENAME_CHARS, '');
}

// Characters a quoted-string can't carry safely, or that would let a filename break out of the header.
const STRIP = /["\\]/g;
// Outside printable ASCII, plus characters some browsers treat specially in the plain `filename`
// (`%` is percent-decoded by some, path separators and `;` confuse naive parsers).
const UNSAFE_ASCII = /[^\x20-\x7e]|[%/;]/g;

/**
 * `attachment; filename="ascii fallback"; filename*=UTF-8''percent-encoded` (RFC 6266 + RFC 5987):
 * old clients read the ASCII fallback, every current browser prefers `filename*` with the real name.
 */
export function contentDisposition(filename: string, type: DispositionType = 'attachment'): string {
  const clean = stripDeceptiveChars(filename).replace(STRIP, '').trim() || 'download';
  const ascii = clean
    .normalize('NFKD')
    // Dropping combining accents keeps the fallback readable: "Ünïcødé" -> "Unic_de", not "_n_c_d_".
    .replace(/[\u0300-\u036f]/g, '')
    .replace(UNSAFE_ASCII, '_');
  return `${type}; filename="${ascii}"; filename*=UTF-8''${encodeRfc5987(clean)}`;
}

/** RFC 5987 `value-chars`: encodeURIComponent leaves `'()*` alone, which attr-char does not allow. */
function encodeRfc5987(value: string): string {
  return encodeURIComponent(value).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}
