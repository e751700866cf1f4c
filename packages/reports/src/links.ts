import { signToken } from '@pulse/signed-links';

/** Shared with ui-api's `/r/:token` route, which verifies tokens minted for this purpose only. */
export const REPORT_LINK_PURPOSE = 'report-link';
export const REPORT_LINK_TTL_DAYS = 30;

export interface LinkOptions {
  secret: string;
  publicBaseUrl: string;
  now: Date;
}

/**
 * A stable API link instead of a presigned URL: SigV4 presigns die after 7 days at most, the email
 * must work for 30. The API checks the token and redirects to a fresh, short presign.
 */
export function reportLink(fileId: string, options: LinkOptions): string {
  const exp = Math.floor(options.now.getTime() / 1000) + REPORT_LINK_TTL_DAYS * 86_400;
  const token = signToken(options.secret, { sub: fileId, purpose: REPORT_LINK_PURPOSE, exp });
  return `${options.publicBaseUrl}/r/${token}`;
}

/** Bound to its own purpose and signed with its own key: a report link can never unsubscribe, nor the reverse. */
export const UNSUBSCRIBE_PURPOSE = 'report-unsubscribe';
// Long-lived: RFC 8058 expects the List-Unsubscribe URL of any message in a mailbox to keep working.
export const UNSUBSCRIBE_TTL_DAYS = 400;

/** `{publicBaseUrl}/u/{token}`: GET shows a confirmation page, POST (RFC 8058 one-click) unsubscribes. */
export function unsubscribeLink(userId: string, options: LinkOptions): string {
  const exp = Math.floor(options.now.getTime() / 1000) + UNSUBSCRIBE_TTL_DAYS * 86_400;
  const token = signToken(options.secret, { sub: userId, purpose: UNSUBSCRIBE_PURPOSE, exp });
  return `${options.publicBaseUrl}/u/${token}`;
}
