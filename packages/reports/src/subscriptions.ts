import { z } from '@pulse/config';
import type { Db } from '@pulse/db';
import { type Frequency, previousPeriod } from './periods';

export const REPORT_FORMATS = ['pdf', 'xlsx', 'both'] as const;
export type ReportFormats = (typeof REPORT_FORMATS)[number];

/** What a follower receives and when. A follower who never changed anything has the defaults. */
export interface Subscription {
  userId: string;
  frequency: Frequency;
  formats: ReportFormats;
  /** Time of day of the slot in UTC, `HH:MM` (on the 1st, or on Monday). */
  slot: string;
  /** Period boundaries and the dates in the report. */
  timeZone: string;
  /** null: every device the user follows (including ones followed later). */
  deviceIds: string[] | null;
  paused: boolean;
  unsubscribedAt: Date | null;
  /** false while nothing is stored: these are the defaults. */
  saved: boolean;
}

/** As today's monthly run: 02:00 UTC on the 1st, both files, every followed device. */
export const DEFAULT_SUBSCRIPTION = {
  frequency: 'monthly',
  formats: 'both',
  slotMinute: 120,
  timeZone: 'UTC',
} as const;

/** How a subscription change was made, recorded with unsubscribes and resubscribes. */
export type ChangeMethod = 'one-click' | 'mailto' | 'page' | 'settings' | 'admin';

export function isTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

const slotText = (minute: number) =>
  `${String(Math.floor(minute / 60)).padStart(2, '0')}:${String(minute % 60).padStart(2, '0')}`;

/** The request body for a change; every field optional (absent: unchanged). */
export const subscriptionPatch = z.strictObject({
  frequency: z.enum(['monthly', 'weekly']).optional(),
  formats: z.enum(REPORT_FORMATS).optional(),
  slot: z
    .string()
    .regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'must be HH:MM (UTC)')
    .optional(),
  timeZone: z.string().max(64).refine(isTimeZone, 'is not an IANA time zone').optional(),
  deviceIds: z
    .array(z.string().min(1).max(200))
    .min(1, 'choose at least one device, or null for all followed devices')
    .max(1000)
    .nullable()
    .optional(),
  paused: z.boolean().optional(),
  subscribed: z.boolean().optional(),
});
export type SubscriptionPatch = z.output<typeof subscriptionPatch>;

/** A change the data refuses (e.g. a device the user does not follow); the API answers 400. */
export class SubscriptionError extends Error {
  constructor(
    readonly code: 'unknown_device',
    message: string,
  ) {
    super(message);
    this.name = 'SubscriptionError';
  }
}

interface Row {
  user_id: string;
  frequency: Frequency;
  formats: ReportFormats;
  slot_minute: number;
  time_zone: string;
  device_ids: string[] | null;
  paused: boolean;
  unsubscribed_at: Date | null;
}

function fromRow(userId: string, row: Row | undefined): Subscription {
  return {
    userId,
    frequency: row?.frequency ?? DEFAULT_SUBSCRIPTION.frequency,
    formats: row?.formats ?? DEFAULT_SUBSCRIPTION.formats,
    slot: slotText(row?.slot_minute ?? DEFAULT_SUBSCRIPTION.slotMinute),
    timeZone: row?.time_zone ?? DEFAULT_SUBSCRIPTION.timeZone,
    deviceIds: row?.device_ids ?? null,
    paused: row?.paused ?? false,
    unsubscribedAt: row?.unsubscribed_at ?? null,
    saved: row !== undefined,
  };
}

const COLUMNS = 'user_id::text, frequency, formats, slot_minute, time_zone, device_ids, paused, unsubscribed_at';

export async function getSubscription(db: Db, userId: string): Promise<Subscription> {
  const { rows } = await db.pool.query<Row>(`SELECT ${COLUMNS} FROM report_subscriptions WHERE user_id = $1`, [userId]);
  return fromRow(userId, rows[0]);
}

export interface SubscriberSummary {
  user: { id: string; email: string; name: string };
  subscription: Subscription;
  followedDevices: number;
}

/** Every follower (and anyone with a stored subscription), for administrators; by email. */
export async function listSubscriptions(db: Db): Promise<SubscriberSummary[]> {
  const { rows } = await db.pool.query<Row & { id: string; email: string; name: string; followed: number }>(
    `SELECT u.id::text, u.email, u.name, (SELECT count(*)::int FROM device_follows f WHERE f.user_id = u.id) AS followed,
            s.user_id::text, s.frequency, s.formats, s.slot_minute, s.time_zone, s.device_ids, s.paused, s.unsubscribed_at
     FROM users u LEFT JOIN report_subscriptions s ON s.user_id = u.id
     WHERE s.user_id IS NOT NULL OR EXISTS (SELECT 1 FROM device_follows f WHERE f.user_id = u.id)
     ORDER BY u.email LIMIT 1000`,
  );
  return rows.map((r) => ({
    user: { id: r.id, email: r.email, name: r.name },
    subscription: fromRow(r.id, r.user_id ? r : undefined),
    followedDevices: r.followed,
  }));
}

/**
 * Applies a change in one transaction: chosen devices must be ones the user follows; `subscribed`
 * false/true unsubscribes/resubscribes and records it with `method`.
 */
export async function updateSubscription(
  db: Db,
  userId: string,
  patch: SubscriptionPatch,
  actor: { method: ChangeMethod; actorId?: string },
): Promise<Subscription> {
  await db.prisma.$transaction(async (tx) => {
    if (patch.deviceIds) {
      const followed = await tx.deviceFollow.findMany({
        where: { userId, deviceId: { in: patch.deviceIds } },
        select: { deviceId: true },
      });
      const known = new Set(followed.map((f) => f.deviceId));
      const unknown = [...new Set(patch.deviceIds)].filter((d) => !known.has(d));
      if (unknown.length > 0)
        throw new SubscriptionError('unknown_device', `not a device you follow: ${unknown.slice(0, 5).join(', ')}`);
    }
    const slotMinute =
      patch.slot === undefined ? null : Number(patch.slot.slice(0, 2)) * 60 + Number(patch.slot.slice(3));
    const setDevices = patch.deviceIds !== undefined;
    const deviceIds = patch.deviceIds ? [...new Set(patch.deviceIds)] : null;
    const d = DEFAULT_SUBSCRIPTION;
    // Absent fields keep their value (or take the default on the first write); null devices = all followed.
    await tx.$executeRaw`
      INSERT INTO report_subscriptions (user_id, frequency, formats, slot_minute, time_zone, device_ids, paused, updated_at)
      VALUES (${userId}::uuid, COALESCE(${patch.frequency ?? null}, ${d.frequency})::"ReportFrequency",
              COALESCE(${patch.formats ?? null}, ${d.formats})::"ReportFormats", COALESCE(${slotMinute}::int, ${d.slotMinute}::int),
              COALESCE(${patch.timeZone ?? null}, ${d.timeZone}), ${deviceIds}::text[], COALESCE(${patch.paused ?? null}::boolean, false), now())
      ON CONFLICT (user_id) DO UPDATE SET
        frequency = COALESCE(${patch.frequency ?? null}::"ReportFrequency", report_subscriptions.frequency),
        formats = COALESCE(${patch.formats ?? null}::"ReportFormats", report_subscriptions.formats),
        slot_minute = COALESCE(${slotMinute}::int, report_subscriptions.slot_minute),
        time_zone = COALESCE(${patch.timeZone ?? null}, report_subscriptions.time_zone),
        device_ids = CASE WHEN ${setDevices} THEN ${deviceIds}::text[] ELSE report_subscriptions.device_ids END,
        paused = COALESCE(${patch.paused ?? null}::boolean, report_subscriptions.paused),
        updated_at = now()`;
  });
  if (patch.subscribed === false) await unsubscribe(db, userId, actor);
  if (patch.subscribed === true) await resubscribe(db, userId, actor);
  return getSubscription(db, userId);
}

type Actor = { method: ChangeMethod; actorId?: string };
type Tx = Parameters<Parameters<Db['prisma']['$transaction']>[0]>[0];

/** Runs the state change and, only when it changed a row, records who did it and how. */
function recordedChange(
  db: Db,
  userId: string,
  change: 'unsubscribed' | 'resubscribed',
  actor: Actor,
  apply: (tx: Tx) => Promise<number>,
): Promise<{ changed: boolean }> {
  return db.prisma.$transaction(async (tx) => {
    const changed = (await apply(tx)) > 0;
    if (changed)
      await tx.reportSubscriptionEvent.create({
        data: { userId, change, method: actor.method, actorId: actor.actorId ?? null },
      });
    return { changed };
  });
}

/**
 * Stops every report to the user until they resubscribe, recorded with time and method. Idempotent:
 * a second unsubscribe (a mail client retrying its POST) changes and records nothing.
 */
export function unsubscribe(db: Db, userId: string, actor: Actor): Promise<{ changed: boolean }> {
  return recordedChange(
    db,
    userId,
    'unsubscribed',
    actor,
    (tx) => tx.$executeRaw`
      INSERT INTO report_subscriptions (user_id, unsubscribed_at, updated_at) VALUES (${userId}::uuid, now(), now())
      ON CONFLICT (user_id) DO UPDATE SET unsubscribed_at = now(), updated_at = now()
      WHERE report_subscriptions.unsubscribed_at IS NULL`,
  );
}

export function resubscribe(db: Db, userId: string, actor: Actor): Promise<{ changed: boolean }> {
  return recordedChange(
    db,
    userId,
    'resubscribed',
    actor,
    (tx) => tx.$executeRaw`
      UPDATE report_subscriptions SET unsubscribed_at = NULL, updated_at = now()
      WHERE user_id = ${userId}::uuid AND unsubscribed_at IS NOT NULL`,
  );
}

/** The newest unsubscribe/resubscribe records of a user, newest first. */
export function subscriptionHistory(db: Db, userId: string) {
  return db.prisma.reportSubscriptionEvent.findMany({
    where: { userId },
    orderBy: { createdAt: 'desc' },
    take: 20,
    select: { change: true, method: true, createdAt: true },
  });
}

/** True when the subscription sends nothing (paused or unsubscribed). */
export function isInactive(s: Subscription): boolean {
  return s.paused || s.unsubscribedAt !== null;
}

/** The first slot strictly after `now` (UTC): the 1st of a month, or a Monday, at `slot`. */
export function nextSlot(s: Pick<Subscription, 'frequency' | 'slot'>, now: Date): Date {
  const minute = Number(s.slot.slice(0, 2)) * 60 + Number(s.slot.slice(3));
  const y = now.getUTCFullYear();
  const m = now.getUTCMonth();
  if (s.frequency === 'monthly') {
    for (let k = 0; ; k++) {
      const at = new Date(Date.UTC(y, m + k, 1) + minute * 60_000);
      if (at > now) return at;
    }
  }
  const today = Date.UTC(y, m, now.getUTCDate());
  const monday = today - ((now.getUTCDay() + 6) % 7) * 86_400_000;
  for (let k = 0; ; k++) {
    const at = new Date(monday + k * 7 * 86_400_000 + minute * 60_000);
    if (at > now) return at;
  }
}

/** When the next report goes out and which period it covers (for the settings page). */
export function nextDelivery(s: Subscription, now: Date): { at: Date; period: string } | null {
  if (isInactive(s)) return null;
  const at = nextSlot(s, now);
  return { at, period: previousPeriod(at, s.timeZone, s.frequency) };
}
