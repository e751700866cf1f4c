import type { Db } from '@pulse/db';
import { findOwnedFile, type OwnedFile } from '@pulse/files';
import { type SigningKeys, signToken, verifyToken } from '@pulse/signed-links';
import { isPeriod } from './periods';

/** Shared with ui-api's `/r/:token` route, which verifies tokens minted for this purpose only. */
export const REPORT_LINK_PURPOSE = 'report-link';
export const REPORT_LINK_TTL_DAYS = 30;

export interface LinkOptions {
  /** The purpose's keyring: report links and unsubscribe links each have their own. */
  keys: SigningKeys;
  publicBaseUrl: string;
  now: Date;
}

export type ReportFileFormat = 'pdf' | 'xlsx';

/**
 * What a report link grants: one format of one follower's report of one period, never a file id. The
 * token can't be pointed at any other file, and the file behind it is looked up when the link is
 * followed (a resend that replaced the file is still served by the first email's link).
 */
export interface ReportLinkScope {
  followerId: string;
  period: string;
  format: ReportFileFormat;
}

const SCOPE = /^([0-9a-f-]{36})\/([0-9W-]{7,8})\/(pdf|xlsx)$/;

/**
 * A stable API link instead of a presigned URL: SigV4 presigns die after 7 days at most, the email
 * must work for 30. The API checks the token and redirects to a fresh, short presign.
 */
export function reportLink(scope: ReportLinkScope, options: LinkOptions): string {
  const exp = Math.floor(options.now.getTime() / 1000) + REPORT_LINK_TTL_DAYS * 86_400;
  const sub = `${scope.followerId}/${scope.period}/${scope.format}`;
  const token = signToken(options.keys, { sub, purpose: REPORT_LINK_PURPOSE, exp });
  return `${options.publicBaseUrl}/r/${token}`;
}

export type ReadReportLink = { ok: true; scope: ReportLinkScope } | { ok: false; reason: 'invalid' | 'expired' };

/** The scope of an authentic, unexpired report-link token. */
export function readReportLink(keys: SigningKeys, token: string, now: Date): ReadReportLink {
  const verified = verifyToken(keys, token, { purpose: REPORT_LINK_PURPOSE, now });
  if (!verified.ok) return verified;
  const m = SCOPE.exec(verified.claims.sub);
  if (!m || !isPeriod(m[2]!)) return { ok: false, reason: 'invalid' };
  return { ok: true, scope: { followerId: m[1]!, period: m[2]!, format: m[3] as ReportFileFormat } };
}

/**
 * The file a report link serves: the delivery's file of that format, owned by the follower and part of
 * a report artifact. Anything else (no delivery, no such file, a file that isn't a report) is undefined.
 */
export async function findReportFile(db: Db, scope: ReportLinkScope): Promise<OwnedFile | undefined> {
  const delivery = await db.prisma.reportDelivery.findUnique({
    where: { followerId_reportPeriod: { followerId: scope.followerId, reportPeriod: scope.period } },
    select: { pdfFileId: true, xlsxFileId: true },
  });
  const fileId = scope.format === 'pdf' ? delivery?.pdfFileId : delivery?.xlsxFileId;
  if (!fileId) return undefined;
  const file = await findOwnedFile(db, { fileId, ownerId: scope.followerId });
  return file?.artifact.kind === 'report' ? file : undefined;
}

/** Bound to its own purpose and signed with its own key: a report link can never unsubscribe, nor the reverse. */
export const UNSUBSCRIBE_PURPOSE = 'report-unsubscribe';
// Long-lived: RFC 8058 expects the List-Unsubscribe URL of any message in a mailbox to keep working.
export const UNSUBSCRIBE_TTL_DAYS = 400;

function unsubscribeToken(userId: string, options: Pick<LinkOptions, 'keys' | 'now'>): string {
  const exp = Math.floor(options.now.getTime() / 1000) + UNSUBSCRIBE_TTL_DAYS * 86_400;
  return signToken(options.keys, { sub: userId, purpose: UNSUBSCRIBE_PURPOSE, exp });
}

/** `{publicBaseUrl}/u/{token}`: GET shows a confirmation page, POST (RFC 8058 one-click) unsubscribes. */
export function unsubscribeLink(userId: string, options: LinkOptions): string {
  return `${options.publicBaseUrl}/u/${unsubscribeToken(userId, options)}`;
}

/**
 * The List-Unsubscribe mailto: a message to `mailbox` whose subject carries the same signed token, so the
 * mailbox's reader (`pnpm pulse unsubscribe-mail`, fed each incoming message) unsubscribes exactly the
 * user the email went to, whoever the sender claims to be.
 */
export function unsubscribeMailto(userId: string, options: Pick<LinkOptions, 'keys' | 'now'> & { mailbox: string }) {
  const subject = `unsubscribe ${unsubscribeToken(userId, options)}`;
  return `mailto:${options.mailbox}?subject=${encodeURIComponent(subject)}`;
}

/** The token in a subject such as `unsubscribe <token>` (a reply may add `Re:`; folding may add spaces). */
export function unsubscribeTokenInSubject(subject: string): string | undefined {
  return /\bunsubscribe\s+([A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+)/i.exec(subject)?.[1];
}

export type ReadUnsubscribeToken = { ok: true; userId: string } | { ok: false; reason: 'invalid' | 'expired' };

/** The user of an authentic, unexpired unsubscribe token (from the https link or the mailto's subject). */
export function readUnsubscribeToken(keys: SigningKeys, token: string, now: Date): ReadUnsubscribeToken {
  const verified = verifyToken(keys, token, { purpose: UNSUBSCRIBE_PURPOSE, now });
  return verified.ok ? { ok: true, userId: verified.claims.sub } : verified;
}
