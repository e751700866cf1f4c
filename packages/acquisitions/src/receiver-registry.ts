import { type Db, isUniqueViolation, type Receiver as ReceiverRow } from '@pulse/db';
import { ReceiverError } from './receiver-errors';
import {
  type ReceiverCreate,
  type ReceiverKind,
  type ReceiverPatch,
  type ReceiverSettings,
  receiverSettings,
  withDefaults,
} from './receiver-fields';

export type ReceiverStatus = 'online' | 'failing' | 'unknown';

/** A registry entry as the admin API shows it: everything but the password reference. */
export interface ReceiverView {
  id: string;
  name: string;
  kind: ReceiverKind;
  host: string | null;
  port: number | null;
  hasPassword: boolean;
  latitude: number | null;
  longitude: number | null;
  minFrequencyHz: number;
  maxFrequencyHz: number;
  maxSampleRate: number;
  enabled: boolean;
  status: ReceiverStatus;
  lastSeenAt: string | null;
  lastError: string | null;
  lastErrorAt: string | null;
  createdAt: string;
  updatedAt: string;
}

/** What any signed-in user sees of an enabled receiver: no address, no password. */
export type ReceiverSummary = Pick<
  ReceiverView,
  | 'id'
  | 'name'
  | 'kind'
  | 'latitude'
  | 'longitude'
  | 'minFrequencyHz'
  | 'maxFrequencyHz'
  | 'maxSampleRate'
  | 'status'
  | 'lastSeenAt'
  | 'lastError'
>;

/** What the worker needs to connect: includes the password reference, which it resolves itself. */
export interface CaptureTarget {
  id: string;
  name: string;
  kind: ReceiverKind;
  host: string | null;
  port: number | null;
  passwordRef: string | null;
  minFrequencyHz: number;
  maxFrequencyHz: number;
  maxSampleRate: number;
  enabled: boolean;
}

/** Online when the last contact went well, failing when the last one failed, unknown before any. */
function statusOf(r: Pick<ReceiverRow, 'lastSeenAt' | 'lastErrorAt'>): ReceiverStatus {
  if (r.lastErrorAt && (!r.lastSeenAt || r.lastErrorAt >= r.lastSeenAt)) return 'failing';
  return r.lastSeenAt ? 'online' : 'unknown';
}

function toView(r: ReceiverRow): ReceiverView {
  return {
    id: r.id,
    name: r.name,
    kind: r.kind,
    host: r.host,
    port: r.port,
    hasPassword: r.passwordRef !== null,
    latitude: r.latitude,
    longitude: r.longitude,
    minFrequencyHz: Number(r.minFrequencyHz),
    maxFrequencyHz: Number(r.maxFrequencyHz),
    maxSampleRate: r.maxSampleRate,
    enabled: r.enabled,
    status: statusOf(r),
    lastSeenAt: r.lastSeenAt?.toISOString() ?? null,
    lastError: r.lastError,
    lastErrorAt: r.lastErrorAt?.toISOString() ?? null,
    createdAt: r.createdAt.toISOString(),
    updatedAt: r.updatedAt.toISOString(),
  };
}

function toSummary(r: ReceiverRow): ReceiverSummary {
  const v = toView(r);
  return {
    id: v.id,
    name: v.name,
    kind: v.kind,
    latitude: v.latitude,
    longitude: v.longitude,
    minFrequencyHz: v.minFrequencyHz,
    maxFrequencyHz: v.maxFrequencyHz,
    maxSampleRate: v.maxSampleRate,
    status: v.status,
    lastSeenAt: v.lastSeenAt,
    lastError: v.lastError,
  };
}

function validated(settings: ReceiverSettings): ReceiverSettings {
  const parsed = receiverSettings.safeParse(settings);
  if (parsed.success) return parsed.data;
  const details = parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message }));
  throw new ReceiverError(
    'invalid_receiver',
    details.map((d) => `${d.path || 'receiver'}: ${d.message}`).join('; '),
    details,
  );
}

const columns = (s: ReceiverSettings) => ({
  ...s,
  minFrequencyHz: BigInt(s.minFrequencyHz),
  maxFrequencyHz: BigInt(s.maxFrequencyHz),
});

/** A unique violation is either the id or the address (the only two unique keys). */
async function conflict(db: Db, id: string, s: ReceiverSettings, existingId?: string): Promise<ReceiverError> {
  if (existingId === undefined && (await db.prisma.receiver.findUnique({ where: { id }, select: { id: true } }))) {
    return new ReceiverError('duplicate_receiver', `a receiver with id "${id}" already exists`);
  }
  return new ReceiverError('duplicate_address', `another receiver already uses ${s.host}:${s.port}`);
}

export async function listReceivers(db: Db): Promise<ReceiverView[]> {
  return (await db.prisma.receiver.findMany({ orderBy: { id: 'asc' } })).map(toView);
}

/** The receivers users may capture from. */
export async function listEnabledReceivers(db: Db): Promise<ReceiverSummary[]> {
  return (await db.prisma.receiver.findMany({ where: { enabled: true }, orderBy: { id: 'asc' } })).map(toSummary);
}

export async function getReceiver(db: Db, id: string): Promise<ReceiverView> {
  const row = await db.prisma.receiver.findUnique({ where: { id } });
  if (!row) throw new ReceiverError('receiver_not_found', `no receiver "${id}"`);
  return toView(row);
}

export async function createReceiver(db: Db, input: ReceiverCreate): Promise<ReceiverView> {
  const settings = validated(withDefaults(input));
  try {
    return toView(await db.prisma.receiver.create({ data: { id: input.id, ...columns(settings) } }));
  } catch (err) {
    if (isUniqueViolation(err)) throw await conflict(db, input.id, settings);
    throw err;
  }
}

/** Applies a patch and checks the whole entry again (e.g. a new kind must come with an address). */
export async function updateReceiver(db: Db, id: string, patch: ReceiverPatch): Promise<ReceiverView> {
  const current = await db.prisma.receiver.findUnique({ where: { id } });
  if (!current) throw new ReceiverError('receiver_not_found', `no receiver "${id}"`);
  const settings = validated({
    name: patch.name ?? current.name,
    kind: patch.kind ?? current.kind,
    host: patch.host !== undefined ? patch.host : current.host,
    port: patch.port !== undefined ? patch.port : current.port,
    passwordRef: patch.passwordRef !== undefined ? patch.passwordRef : current.passwordRef,
    latitude: patch.latitude !== undefined ? patch.latitude : current.latitude,
    longitude: patch.longitude !== undefined ? patch.longitude : current.longitude,
    minFrequencyHz: patch.minFrequencyHz ?? Number(current.minFrequencyHz),
    maxFrequencyHz: patch.maxFrequencyHz ?? Number(current.maxFrequencyHz),
    maxSampleRate: patch.maxSampleRate ?? current.maxSampleRate,
    enabled: patch.enabled ?? current.enabled,
  });
  try {
    const rows = await db.prisma.receiver.updateManyAndReturn({ where: { id }, data: columns(settings) });
    if (!rows[0]) throw new ReceiverError('receiver_not_found', `no receiver "${id}"`);
    return toView(rows[0]);
  } catch (err) {
    if (isUniqueViolation(err)) throw await conflict(db, id, settings, id);
    throw err;
  }
}

/** Removes the entry; measurements already stored keep their files (tasks name receivers by id). */
export async function deleteReceiver(db: Db, id: string): Promise<void> {
  const { count } = await db.prisma.receiver.deleteMany({ where: { id } });
  if (count === 0) throw new ReceiverError('receiver_not_found', `no receiver "${id}"`);
}

/** The entries a task names, by id (missing ids are absent from the map). */
export async function receiversForCapture(db: Db, ids: readonly string[]): Promise<Map<string, CaptureTarget>> {
  const rows = await db.prisma.receiver.findMany({ where: { id: { in: [...ids] } } });
  return new Map(
    rows.map((r) => [
      r.id,
      {
        id: r.id,
        name: r.name,
        kind: r.kind,
        host: r.host,
        port: r.port,
        passwordRef: r.passwordRef,
        minFrequencyHz: Number(r.minFrequencyHz),
        maxFrequencyHz: Number(r.maxFrequencyHz),
        maxSampleRate: r.maxSampleRate,
        enabled: r.enabled,
      },
    ]),
  );
}

/** After a capture: seen now, or failing with a reason. Raw SQL, one round trip; on the task's path. */
export async function recordReceiverContact(
  db: Db,
  id: string,
  outcome: { ok: true } | { ok: false; error: string },
): Promise<void> {
  if (outcome.ok) {
    await db.pool.query('UPDATE receivers SET last_seen_at = now() WHERE id = $1', [id]);
  } else {
    await db.pool.query('UPDATE receivers SET last_error = $2, last_error_at = now() WHERE id = $1', [
      id,
      outcome.error,
    ]);
  }
}
