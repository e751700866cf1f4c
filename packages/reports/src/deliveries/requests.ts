import { randomUUID } from 'node:crypto';
import { type Db, enqueueOutbox, type Prisma } from '@pulse/db';
import { frequencyOf } from '../periods';
import { DEFAULT_SUBSCRIPTION } from '../subscriptions';

// Large enough for thousands of followers: one outbox row each, in one transaction.
const TX_TIMEOUT_MS = 120_000;

// The deliveries an administrator may send again: every finished one (a pending or working one is on its way).
const RESENDABLE = ['sent', 'failed', 'skipped', 'bounced'];

function enqueue(tx: Prisma.TransactionClient, period: string, followerId: string, msgId: string) {
  return enqueueOutbox(tx, { subject: 'report.requested', payload: { period, followerId }, msgId });
}

export interface DueRequest {
  followerId: string;
  period: string;
  /** The slot that made it due. */
  slot: Date;
}

// For every active subscription (a follower without a row has the defaults): its latest slot at or before
// $1 — the 1st of the month or Monday, at slot_minute UTC — and the period that slot reports: the month or
// ISO week before the one the slot falls in, in the subscription's time zone. Due when that slot is at most
// $2 seconds old. Computed in SQL so one statement schedules every subscription.
const DUE = `
  WITH subs AS (
    SELECT f.user_id,
           COALESCE(s.frequency, $3::"ReportFrequency") AS frequency,
           COALESCE(s.slot_minute, $4::int) AS slot_minute,
           COALESCE(s.time_zone, $5) AS time_zone
    FROM (SELECT DISTINCT user_id FROM device_follows) f
    LEFT JOIN report_subscriptions s ON s.user_id = f.user_id
    WHERE s.user_id IS NULL OR (NOT s.paused AND s.unsubscribed_at IS NULL)
  ), current AS (
    SELECT *, date_trunc(CASE frequency WHEN 'weekly' THEN 'week' ELSE 'month' END, $1::timestamptz AT TIME ZONE 'UTC')
              + make_interval(mins => slot_minute) AS this_slot
    FROM subs
  ), latest AS (
    SELECT user_id, frequency, time_zone,
           (CASE WHEN this_slot <= ($1::timestamptz AT TIME ZONE 'UTC') THEN this_slot
                 WHEN frequency = 'weekly' THEN this_slot - interval '1 week'
                 ELSE this_slot - interval '1 month' END) AT TIME ZONE 'UTC' AS slot
    FROM current
  ), due AS (
    SELECT user_id, slot,
           CASE frequency
             WHEN 'weekly' THEN to_char(date_trunc('week', slot AT TIME ZONE time_zone) - interval '1 week', 'IYYY-"W"IW')
             ELSE to_char(date_trunc('month', slot AT TIME ZONE time_zone) - interval '1 month', 'YYYY-MM')
           END AS period
    FROM latest
    WHERE $1::timestamptz - slot <= make_interval(secs => $2)
  )
  INSERT INTO report_deliveries (id, follower_id, report_period, updated_at)
  SELECT gen_random_uuid(), user_id, period, now() FROM due
  ON CONFLICT (follower_id, report_period) DO NOTHING
  RETURNING follower_id::text AS "followerId", report_period AS period,
            (SELECT slot FROM due WHERE due.user_id = report_deliveries.follower_id) AS slot`;

/**
 * The scheduler's pass at `now`: a pending delivery row for every subscription whose latest slot is due
 * (at most `windowMs` old) and has no row yet for its period, and one request per new row, in one
 * transaction. Any later pass — another replica, a restart, the next tick — finds the rows and requests
 * nothing, so each subscription's slot fires once however often it is looked at.
 */
export async function requestDueReports(db: Db, now: Date, options: { windowMs: number }): Promise<DueRequest[]> {
  const d = DEFAULT_SUBSCRIPTION;
  return db.prisma.$transaction(
    async (tx) => {
      const created = await tx.$queryRawUnsafe<DueRequest[]>(
        DUE,
        now,
        Math.floor(options.windowMs / 1000),
        d.frequency,
        d.slotMinute,
        d.timeZone,
      );
      for (const row of created)
        await enqueue(tx, row.period, row.followerId, `report:${row.period}:${row.followerId}`);
      return created;
    },
    { timeout: TX_TIMEOUT_MS },
  );
}

export interface ManualReportRequest {
  period: string;
  /**
   * One follower (whatever their subscription's frequency); when absent, every follower whose subscription
   * has the period's frequency (a month: monthly subscribers; an ISO week: weekly ones).
   */
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
  const frequency = frequencyOf(request.period);
  if (!frequency) throw new Error(`not a report period: ${request.period}`);
  const requested = await db.prisma.$transaction(
    async (tx) => {
      const followers = await tx.$queryRaw<{ id: string }[]>`
        SELECT DISTINCT f.user_id::text AS id FROM device_follows f
        LEFT JOIN report_subscriptions s ON s.user_id = f.user_id
        WHERE (${followerId}::uuid IS NULL AND COALESCE(s.frequency, ${DEFAULT_SUBSCRIPTION.frequency}::"ReportFrequency") = ${frequency}::"ReportFrequency")
           OR f.user_id = ${followerId}::uuid`;
      const ids = followers.map((f) => f.id);
      if (request.resend && ids.length > 0) {
        await tx.$executeRaw`UPDATE report_deliveries SET status = 'pending', updated_at = now()
          WHERE report_period = ${request.period} AND follower_id = ANY(${ids}::uuid[]) AND status = ANY(${RESENDABLE}::"DeliveryStatus"[])`;
      }
      for (const id of ids) await enqueue(tx, request.period, id, `report:${request.period}:${id}:${requestId}`);
      return ids.length;
    },
    { timeout: TX_TIMEOUT_MS },
  );
  return { requested, requestId };
}

export type ResendResult =
  | { outcome: 'requested'; period: string; followerId: string; resendCount: number }
  | { outcome: 'not_found' }
  | { outcome: 'in_progress' };

/**
 * An administrator's resend of one delivery: back to pending with the resend counted and attributed, and
 * its request, in one transaction. The worker then sends a new email with fresh links. A delivery still
 * being produced is left alone (the running attempt will send it).
 */
export async function requestResend(db: Db, deliveryId: string, adminId: string): Promise<ResendResult> {
  return db.prisma.$transaction(async (tx) => {
    const rows = await tx.$queryRaw<{ period: string; followerId: string; resendCount: number }[]>`
      UPDATE report_deliveries
      SET status = 'pending', resend_count = resend_count + 1, resend_requested_at = now(),
          resend_requested_by = ${adminId}::uuid, last_error = NULL, updated_at = now()
      WHERE id = ${deliveryId}::uuid AND status = ANY(${RESENDABLE}::"DeliveryStatus"[])
      RETURNING report_period AS period, follower_id::text AS "followerId", resend_count AS "resendCount"`;
    const row = rows[0];
    if (!row) {
      const exists = await tx.reportDelivery.count({ where: { id: deliveryId } });
      return exists ? { outcome: 'in_progress' } : { outcome: 'not_found' };
    }
    await enqueue(tx, row.period, row.followerId, `report:${row.period}:${row.followerId}:resend-${row.resendCount}`);
    return { outcome: 'requested', ...row };
  });
}
