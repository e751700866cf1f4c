import path from 'node:path';

const MAX_NAME = 200;

/**
 * The name offered to browsers: no path parts (`../`), no control characters, bounded length.
 * Rows keep what the user sent; this is applied whenever a name leaves the system.
 */
export function safeFilename(original: string): string {
  const base = original
    .normalize('NFC')
    // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what we strip
    .replace(/[\u0000-\u001f\u007f]/g, '')
    .replace(/[/\\]/g, '_')
    .replace(/^[.\s]+/, '')
    .trim();
  if (!base) return 'file';
  if (base.length <= MAX_NAME) return base;
  // Keep the extension when shortening: it is what makes the file open in the right program.
  const ext = fileExtension(base);
  return base.slice(0, MAX_NAME - ext.length) + ext;
}

/** `.pdf`, `.csv`… lowercased; empty for anything that doesn't look like a short plain extension. */
export function fileExtension(filename: string): string {
  const ext = path.extname(filename).toLowerCase();
  return /^\.[a-z0-9]{1,10}$/.test(ext) ? ext : '';
}
