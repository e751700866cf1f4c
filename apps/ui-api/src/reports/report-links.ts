import { findReportFile, readReportLink } from '@pulse/reports';
import type { Response } from 'express';
import type { AppDeps } from '../deps';
import { redirectToFile } from '../files/download';
import { HttpError } from '../http/errors';
import { sendLinkPage } from './link-page';

/** The redirect target lives at most this long; the email link itself lives 30 days. */
const PRESIGN_MAX_S = 3600;

type LinkDeps = Pick<AppDeps, 'config' | 'db' | 'storage' | 'logger' | 'now'>;

/**
 * `/r/{token}`: the token is the credential (HMAC over follower, period, format, purpose and expiry), so
 * no session is needed. It serves only that follower's report file of that period and format, whatever
 * else exists; a valid link is answered with a 302 to a fresh presigned GET.
 */
export async function followReportLink(deps: LinkDeps, res: Response, token: string): Promise<void> {
  const verified = readReportLink(deps.config.keys.reportLinks, token, deps.now());
  if (!verified.ok) {
    deps.logger.info({ event: 'report_link_rejected', reason: verified.reason }, 'report link rejected');
    if (verified.reason === 'expired') {
      return sendLinkPage(
        res,
        410,
        'This link has expired',
        'Report links work for 30 days. Sign in to Pulse to download your reports.',
      );
    }
    return sendLinkPage(res, 404, 'Link not found', 'This link is not valid. Check that it was copied completely.');
  }

  const file = await findReportFile(deps.db, verified.scope);
  // The token is ours, so the report was sent: no file behind it means it was removed since.
  if (!file) return sendLinkPage(res, 410, 'This report is no longer available', 'The file has been deleted.');
  try {
    await redirectToFile(deps, res, file, { expiresIn: Math.min(PRESIGN_MAX_S, deps.config.s3.presignExpirySec) });
    deps.logger.info({ event: 'report_link_followed', fileId: file.id }, 'report link followed');
  } catch (err) {
    if (!(err instanceof HttpError)) throw err;
    const unavailable = err.status === 503;
    sendLinkPage(
      res,
      err.status,
      unavailable ? 'Please try again in a few minutes' : 'This report is no longer available',
      unavailable ? 'The file storage is not reachable right now.' : err.message.replace(/^the file/, 'The file') + '.',
    );
  }
}
