import { execFile } from 'node:child_process';
import { renderPdf } from '@pulse/report-render';
import { loadReportData, previousPeriod, type Subscription } from '@pulse/reports';
import type { AppDeps } from '../deps';
import { errors } from '../http/errors';

export interface Preview {
  period: string;
  devices: number;
  pdfBytes: number;
  /** The PDF's first page, `data:image/png;base64,…` (the UI's CSP allows data: images, not blob:). */
  image: string;
}

// Rendering is CPU work on an API process: a few at a time, the rest are told to try again.
const MAX_IN_FLIGHT = 2;
let inFlight = 0;

/** poppler's pdftoppm: PDF on stdin, the first page as PNG on stdout, 800 px on the long side. */
function firstPagePng(pdf: Buffer): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      'pdftoppm',
      ['-png', '-f', '1', '-l', '1', '-singlefile', '-scale-to', '800', '-'],
      { encoding: 'buffer', maxBuffer: 16 * 1024 * 1024, timeout: 20_000 },
      (err, stdout) => (err ? reject(err) : resolve(stdout)),
    );
    child.stdin?.end(pdf);
  });
}

/**
 * "Render now": the report the subscription would send for its last complete period, rendered like the
 * worker renders it, shown as an image of its first page. Nothing is stored or emailed.
 */
export async function renderPreview(
  deps: Pick<AppDeps, 'db' | 'now' | 'logger'>,
  subscription: Subscription,
): Promise<Preview> {
  if (inFlight >= MAX_IN_FLIGHT) throw errors.tooManyRequests('previews are being rendered; try again shortly', 5);
  inFlight++;
  try {
    const now = deps.now();
    const period = previousPeriod(now, subscription.timeZone, subscription.frequency);
    const data = await loadReportData(deps.db.pool, {
      followerId: subscription.userId,
      period,
      timeZone: subscription.timeZone,
      deviceIds: subscription.deviceIds,
      now,
    });
    const started = performance.now();
    const pdf = await renderPdf(data);
    const png = await firstPagePng(pdf).catch((err: NodeJS.ErrnoException) => {
      throw err.code === 'ENOENT'
        ? errors.unavailable('preview_unavailable', 'previews need poppler-utils (pdftoppm) on the server', err)
        : err;
    });
    deps.logger.info(
      {
        event: 'report_preview',
        userId: subscription.userId,
        period,
        pdfBytes: pdf.length,
        pngBytes: png.length,
        durationMs: Math.round(performance.now() - started),
      },
      'report preview rendered',
    );
    return {
      period,
      devices: data.devices.length,
      pdfBytes: pdf.length,
      image: `data:image/png;base64,${png.toString('base64')}`,
    };
  } finally {
    inFlight--;
  }
}
