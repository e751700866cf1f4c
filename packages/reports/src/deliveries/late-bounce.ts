import type { Db } from '@pulse/db';
import { readReportBounceTag } from './bounce-tag';

export type LateBounceOutcome =
  /** The delivery is now `bounced`, with the report's reason; an administrator may resend it. */
  | { outcome: 'bounced'; deliveryId: string; followerId: string }
  /** Nothing to change: already bounced, or skipped (paused/unsubscribed) meanwhile. */
  | { outcome: 'unchanged'; deliveryId: string; status: string }
  /** The bounce is for an earlier sending: the delivery was resent since, and the resend stands. */
  | { outcome: 'superseded'; deliveryId: string }
  /** A worker holds the delivery right now (or it waits for one): the bounce must be read again later. */
  | { outcome: 'busy'; deliveryId: string }
  /** The tag names no delivery of ours. */
  | { outcome: 'unknown' };

/**
 * A bounce that arrived after the relay accepted the report (a DSN to the envelope sender): the delivery
 * the tag names becomes `bounced`, as when the relay refuses the recipient outright, so it is not sent
 * again until an administrator resends it. Only the sending the tag names counts (see bounce-tag.ts).
 */
export async function recordLateBounce(db: Db, tag: string, reason: string): Promise<LateBounceOutcome> {
  const named = readReportBounceTag(tag);
  if (!named) return { outcome: 'unknown' };
  const { deliveryId, resendCount } = named;
  const updated = await db.prisma.$queryRaw<{ followerId: string }[]>`
    UPDATE report_deliveries SET status = 'bounced', claimed_until = NULL, last_error = ${reason}, updated_at = now()
    WHERE id = ${deliveryId}::uuid AND resend_count = ${resendCount} AND status IN ('sent', 'failed')
    RETURNING follower_id::text AS "followerId"`;
  if (updated[0]) return { outcome: 'bounced', deliveryId, followerId: updated[0].followerId };
  const row = await db.prisma.reportDelivery.findUnique({
    where: { id: deliveryId },
    select: { status: true, resendCount: true },
  });
  if (!row) return { outcome: 'unknown' };
  if (row.resendCount !== resendCount) return { outcome: 'superseded', deliveryId };
  if (row.status === 'working' || row.status === 'pending') return { outcome: 'busy', deliveryId };
  return { outcome: 'unchanged', deliveryId, status: row.status };
}
