import path from 'node:path';
import { stripDeceptiveChars } from '@pulse/storage';

const MAX_NAME = 200;

/**
 * A name fit to store and to offer to browsers: no path parts (`../`), no C0/C1 controls, no bidi
 * overrides or other invisible characters that disguise an extension, bounded length. Applied when a
 * name comes in (the row keeps the cleaned name) and again whenever one leaves the system, so rows
 * written before this rule or by another writer are covered too.
 */
export function safeFilename(original: string): string {
  const base = stripDeceptiveChars(original.normalize('NFC'))
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
