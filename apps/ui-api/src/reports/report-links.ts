import { findFile } from '@pulse/files';
import { REPORT_LINK_PURPOSE } from '@pulse/reports';
import { verifyToken } from '@pulse/signed-links';
import type { Response } from 'express';
import type { AppDeps } from '../deps';
import { redirectToFile } from '../files/download';
import { HttpError } from '../http/errors';
import { sendLinkPage } from './link-page';

/** The redirect target lives at most this long; the email link itself lives 30 days. */
const PRESIGN_MAX_S = 3600;

type LinkDeps = Pick<AppDeps, 'config' | 'db' | 'storage' | 'logger' | 'now'>;

/**
 * `/r/{token}`: the token is the credential (HMAC over file id, purpose and expiry), so no session is
 * needed. A valid link is answered with a 302 to a fresh presigned GET.
 */
export async function followReportLink(deps: LinkDeps, res: Response, token: string): Promise<void> {
  const verified = verifyToken(deps.config.app.linkSigningSecret, token, {
    purpose: REPORT_LINK_PURPOSE,
    now: deps.now(),
  });
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

  const fileId = verified.claims.sub;
  const file = await findFile(deps.db, fileId);
  // The token is ours, so the file existed: a missing row means it was removed since.
  if (!file) return sendLinkPage(res, 410, 'This report is no longer available', 'The file has been deleted.');
  try {
    await redirectToFile(deps, res, file, { expiresIn: Math.min(PRESIGN_MAX_S, deps.config.s3.presignExpirySec) });
    deps.logger.info({ event: 'report_link_followed', fileId }, 'report link followed');
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
