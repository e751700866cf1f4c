import { randomUUID } from 'node:crypto';
import { type Db, enqueueOutbox, type Prisma } from '@pulse/db';

// Large enough for thousands of followers: one outbox row each, in one transaction.
const TX_TIMEOUT_MS = 120_000;

function enqueue(tx: Prisma.TransactionClient, period: string, followerId: string, msgId: string) {
  return enqueueOutbox(tx, { subject: 'report.requested', payload: { period, followerId }, msgId });
}

/**
 * The scheduled run: a pending delivery row for every follower who has none yet for this period, and one
 * request per new row, in one transaction. A second run of the same slot (another replica, a restart)
 * finds the rows and requests nothing, so the slot fires once however often it is triggered.
 */
export async function requestScheduledReports(db: Db, period: string): Promise<number> {
  return db.prisma.$transaction(
    async (tx) => {
      const created = await tx.$queryRaw<{ follower_id: string }[]>`
        INSERT INTO report_deliveries (id, follower_id, report_period, updated_at)
        SELECT gen_random_uuid(), f.user_id, ${period}, now() FROM (SELECT DISTINCT user_id FROM device_follows) f
        ON CONFLICT (follower_id, report_period) DO NOTHING
        RETURNING follower_id::text`;
      for (const row of created) await enqueue(tx, period, row.follower_id, `report:${period}:${row.follower_id}`);
      return created.length;
    },
    { timeout: TX_TIMEOUT_MS },
  );
}

export interface ManualReportRequest {
  period: string;
  /** One follower; all followers when absent. */
  followerId?: string;
  /** Send again even where the report was already sent. */
  resend?: boolean;
}

/**
 * An operator's run (CLI): requests every follower's report again. Already-sent reports stay sent unless
 * `resend` resets them to pending here, in the same transaction as the request, so that a redelivered
 * message can never cause a second resend.
 */
export async function requestManualReports(
  db: Db,
  request: ManualReportRequest,
): Promise<{ requested: number; requestId: string }> {
  const requestId = randomUUID();
  const followerId = request.followerId ?? null;
  const requested = await db.prisma.$transaction(
    async (tx) => {
      const followers = await tx.$queryRaw<{ id: string }[]>`
        SELECT DISTINCT user_id::text AS id FROM device_follows WHERE ${followerId}::uuid IS NULL OR user_id = ${followerId}::uuid`;
      const ids = followers.map((f) => f.id);
      if (request.resend && ids.length > 0) {
        await tx.$executeRaw`UPDATE report_deliveries SET status = 'pending', updated_at = now()
          WHERE report_period = ${request.period} AND follower_id = ANY(${ids}::uuid[]) AND status IN ('sent', 'failed')`;
      }
      for (const id of ids) await enqueue(tx, request.period, id, `report:${request.period}:${id}:${requestId}`);
      return ids.length;
    },
    { timeout: TX_TIMEOUT_MS },
  );
  return { requested, requestId };
}
