import { randomUUID } from 'node:crypto';
import { type Db, enqueueOutbox } from '@pulse/db';
import { errors } from '../http/errors';

export interface RunReportsRequest {
  period: string;
  followerId?: string;
  resend: boolean;
}

/**
 * An admin's on-demand run: one `report.requested` per follower, written to the outbox in one
 * transaction. Reports already sent stay sent (the worker skips them) unless `resend` resets them to
 * pending here, in the same transaction, so a redelivered request can never send a second time.
 */
export async function requestReports(
  db: Db,
  request: RunReportsRequest,
): Promise<{ requested: number; runId: string }> {
  const runId = randomUUID();
  const followerId = request.followerId ?? null;
  const requested = await db.prisma.$transaction(
    async (tx) => {
      const followers = await tx.$queryRaw<{ id: string }[]>`
        SELECT DISTINCT user_id::text AS id FROM device_follows
        WHERE ${followerId}::uuid IS NULL OR user_id = ${followerId}::uuid`;
      if (followerId && followers.length === 0) throw errors.notFound('follower');
      const ids = followers.map((f) => f.id);
      if (request.resend && ids.length > 0) {
        await tx.$executeRaw`UPDATE report_deliveries SET status = 'pending', updated_at = now()
          WHERE report_period = ${request.period} AND follower_id = ANY(${ids}::uuid[]) AND status IN ('sent', 'failed')`;
      }
      for (const id of ids) {
        await enqueueOutbox(tx, {
          subject: 'report.requested',
          payload: { period: request.period, followerId: id },
          // Unique per run: the scheduler's `report:{period}:{follower}` id must not swallow an admin's run.
          msgId: `report:${request.period}:${id}:${runId}`,
        });
      }
      return ids.length;
    },
    { timeout: 120_000 },
  );
  return { requested, runId };
}
