import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export interface ReportFonts {
  regular: Buffer;
  bold: Buffer;
}

// Carried in the repo (DejaVu, free license) so names like "Zoë Ørsted" or "Łódź" render on any host.
const FONT_DIR = fileURLToPath(new URL('../../assets/fonts/', import.meta.url));
let cached: ReportFonts | undefined;

/** Read once per process: every report embeds the same two faces. */
export function reportFonts(): ReportFonts {
  cached ??= {
    regular: readFileSync(`${FONT_DIR}DejaVuSans.ttf`),
    bold: readFileSync(`${FONT_DIR}DejaVuSans-Bold.ttf`),
  };
  return cached;
}
