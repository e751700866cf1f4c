import type { Db } from '@pulse/db';
import { FollowerNotFoundError } from '../errors';

export interface DeliveryKey {
  followerId: string;
  period: string;
}

export interface DeliveryRow {
  id: string;
  status: 'pending' | 'working' | 'sent' | 'failed' | 'skipped' | 'bounced';
  attempts: number;
  /** How many times an administrator asked to send it again: each resend is a new email with fresh links. */
  resendCount: number;
  /** An earlier attempt already mailed the "files will follow" notice: this attempt owes only the files. */
  emailSent: boolean;
}

/**
 * - `claimed`: this worker owns the delivery until `claimed_until` and may send.
 * - `sent`: already delivered; acknowledge and do nothing (a resend is an explicit admin reset to pending).
 * - `busy`: another worker holds a live claim; retry later, because if it dies its claim expires and
 *   this message may be the only one left to finish the job.
 */
export type ClaimResult = { outcome: 'claimed'; delivery: DeliveryRow } | { outcome: 'sent' } | { outcome: 'busy' };

const ENSURE = `INSERT INTO report_deliveries (id, follower_id, report_period, updated_at)
  VALUES (gen_random_uuid(), $1, $2, now()) ON CONFLICT (follower_id, report_period) DO NOTHING`;

// The WHERE clause is the whole exactly-once guarantee: row locks make concurrent claimers queue on
// this UPDATE, and the second one re-evaluates the condition against the first one's committed row.
const CLAIM = `UPDATE report_deliveries
  SET status = 'working', claimed_until = now() + make_interval(secs => $3), attempts = attempts + 1,
      last_error = NULL, updated_at = now()
  WHERE follower_id = $1 AND report_period = $2
    AND (status IN ('pending', 'failed') OR (status = 'working' AND claimed_until < now()))
  RETURNING id, status, attempts, email_sent AS "emailSent", resend_count AS "resendCount"`;

const STATUS = 'SELECT status FROM report_deliveries WHERE follower_id = $1 AND report_period = $2';
// A skipped (paused or unsubscribed) or bounced delivery is as final as a sent one until an administrator resends it.
const FINAL: DeliveryRow['status'][] = ['sent', 'skipped', 'bounced'];
const DONE = new Set(FINAL);

export async function claimDelivery(db: Db, key: DeliveryKey, claimTimeoutSec: number): Promise<ClaimResult> {
  await db.pool.query(ENSURE, [key.followerId, key.period]).catch((err: { code?: string }) => {
    // 23503 foreign_key_violation: no such user.
    throw err.code === '23503' ? new FollowerNotFoundError(key.followerId) : err;
  });
  const claimed = await db.pool.query<DeliveryRow>(CLAIM, [key.followerId, key.period, claimTimeoutSec]);
  const delivery = claimed.rows[0];
  if (delivery) return { outcome: 'claimed', delivery };
  const current = await db.pool.query<{ status: DeliveryRow['status'] }>(STATUS, [key.followerId, key.period]);
  const status = current.rows[0]?.status;
  return status && DONE.has(status) ? { outcome: 'sent' } : { outcome: 'busy' };
}

export interface SentRecord {
  pdfFileId: string | null;
  xlsxFileId: string | null;
  storageUploaded: boolean;
  /** Until when the emailed links work (null: the files were attached). */
  linksValidUntil: Date | null;
}

/** Written right after the SMTP server accepted the message: from here on a redelivery only acknowledges. */
export async function markSent(db: Db, deliveryId: string, record: SentRecord): Promise<void> {
  await db.pool.query(
    `UPDATE report_deliveries SET status = 'sent', email_sent = true, sent_at = now(), claimed_until = NULL,
       pdf_file_id = $2, xlsx_file_id = $3, storage_uploaded = $4, links_valid_until = $5, last_error = NULL,
       updated_at = now()
     WHERE id = $1`,
    [deliveryId, record.pdfFileId, record.xlsxFileId, record.storageUploaded, record.linksValidUntil],
  );
}

/** The subscription was paused or unsubscribed before the report was produced: nothing is sent. */
export async function markSkipped(db: Db, deliveryId: string, reason: string): Promise<void> {
  await db.pool.query(
    `UPDATE report_deliveries SET status = 'skipped', claimed_until = NULL, last_error = $2, updated_at = now()
     WHERE id = $1`,
    [deliveryId, reason],
  );
}

/** The relay refused the recipient for good: recorded with its reply, and not retried. */
export async function markBounced(db: Db, deliveryId: string, reply: string): Promise<void> {
  await db.pool.query(
    `UPDATE report_deliveries SET status = 'bounced', claimed_until = NULL, last_error = $2, updated_at = now()
     WHERE id = $1`,
    [deliveryId, reply.slice(0, 1000)],
  );
}

/** The "files will follow" notice went out; the delivery is not done until the files do. */
export async function markNoticeSent(db: Db, deliveryId: string): Promise<void> {
  await db.pool.query(
    `UPDATE report_deliveries SET email_sent = true, sent_at = now(), updated_at = now() WHERE id = $1`,
    [deliveryId],
  );
}

/** Releases the claim at once (no waiting for the timeout) so the bus's redelivery can retry. */
export async function markFailed(db: Db, deliveryId: string, error: string): Promise<void> {
  await db.pool.query(
    `UPDATE report_deliveries SET status = 'failed', claimed_until = NULL, last_error = $2, updated_at = now()
     WHERE id = $1 AND status = 'working'`,
    [deliveryId, error.slice(0, 1000)],
  );
}

/** After the bus gave up on a message: record the reason unless the report went out after all. */
export async function markGivenUp(db: Db, key: DeliveryKey, reason: string): Promise<void> {
  await db.pool.query(
    `UPDATE report_deliveries SET status = 'failed', claimed_until = NULL, last_error = $3, updated_at = now()
     WHERE follower_id = $1 AND report_period = $2 AND status <> ALL($4::"DeliveryStatus"[])
       AND NOT (status = 'working' AND claimed_until >= now())`,
    [key.followerId, key.period, reason.slice(0, 1000), FINAL],
  );
}
