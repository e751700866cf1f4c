import type { AcquisitionState, Db, Prisma } from '@pulse/db';
import type { AcquisitionResult, StoredMeasurement } from './task-result';

/** The parts of an acquisition_tasks row the worker needs. */
export interface ClaimedTask {
  id: string;
  userId: string;
  frequencyHz: number;
  durationMs: number;
  sampleRate: number;
  receivers: string[];
  artifactId: string;
}

export interface Counters {
  current: number;
  total: number;
  successful: number;
  failed: number;
}

export type ClaimResult =
  | { claimed: true; task: ClaimedTask; stored: StoredMeasurement[] }
  | { claimed: false; state: AcquisitionState | null };

const FINAL: AcquisitionState[] = ['SUCCESS', 'PARTIAL_FAILURE', 'FAILED', 'CANCELLED'];

const toStored = (m: Prisma.MeasurementGetPayload<object>): StoredMeasurement => ({
  receiverId: m.receiverId,
  npyFileId: m.npyFileId,
  metadataFileId: m.metadataFileId,
  sha256: m.npySha256,
  size: Number(m.npySize),
  sampleCount: m.sampleCount,
  snrDb: m.snrDb,
});

// One statement: lock the row (two deliveries racing after an ack-wait expiry serialise here), create
// the task's artifact on the first claim, and reset the counters to what earlier attempts stored.
const CLAIM = `
WITH locked AS (
  SELECT id, user_id, artifact_id, frequency_hz, receivers FROM acquisition_tasks
   WHERE id = $1 AND state IN ('QUEUED', 'RUNNING') FOR UPDATE
), artifact AS (
  INSERT INTO artifacts (id, owner_id, kind, title)
  SELECT gen_random_uuid(), user_id, 'acquisition',
         'IQ acquisition at ' || trim_scale(frequency_hz / 1e6) || ' MHz'
    FROM locked WHERE artifact_id IS NULL
  RETURNING id
)
UPDATE acquisition_tasks t
   SET state = 'RUNNING', artifact_id = COALESCE(t.artifact_id, (SELECT id FROM artifact)),
       started_at = COALESCE(t.started_at, now()), total = cardinality(t.receivers),
       current = done.n, successful = done.n, failed = 0, error = NULL
  FROM locked,
       LATERAL (SELECT count(*)::int AS n FROM measurements m
                 WHERE m.task_id = locked.id AND m.receiver_id = ANY (locked.receivers)) done
 WHERE t.id = locked.id
RETURNING t.id, t.user_id, t.frequency_hz, t.duration_ms, t.sample_rate, t.receivers, t.artifact_id, done.n AS done`;

interface ClaimedRow {
  id: string;
  user_id: string;
  frequency_hz: string;
  duration_ms: number;
  sample_rate: number;
  receivers: string[];
  artifact_id: string;
  done: number;
}

/**
 * Guarded transition queued|running -> running. `running` is allowed because a worker that died
 * mid-task leaves the row running and the message is redelivered: receivers already stored by the
 * earlier attempt count as done and are not captured again. A finished task is never reopened.
 */
export async function claimTask(db: Db, taskId: string): Promise<ClaimResult> {
  const { rows } = await db.pool.query<ClaimedRow>(CLAIM, [taskId]);
  const row = rows[0];
  if (!row) {
    const found = await db.prisma.acquisitionTask.findUnique({ where: { id: taskId }, select: { state: true } });
    return { claimed: false, state: found?.state ?? null };
  }
  const stored =
    row.done === 0
      ? []
      : await db.prisma.measurement.findMany({ where: { taskId, receiverId: { in: row.receivers } } });
  return {
    claimed: true,
    task: {
      id: row.id,
      userId: row.user_id,
      frequencyHz: Number(row.frequency_hz),
      durationMs: row.duration_ms,
      sampleRate: row.sample_rate,
      receivers: row.receivers,
      artifactId: row.artifact_id,
    },
    stored: stored.map(toStored),
  };
}

export interface StoredFile {
  bucket: string;
  key: string;
  contentType: string;
  size: number;
  sha256: string;
  filename: string;
}

export interface MeasurementRecord {
  task: ClaimedTask;
  receiverId: string;
  sampleCount: number;
  snrDb: number | null;
  startedAt: Date;
  endedAt: Date;
  npy: StoredFile;
  metadata: StoredFile;
}

// One statement, one round trip: both files upserted on (bucket, key), the measurement on
// (task, receiver), and the task's counters moved on. Receivers finish side by side, so a
// multi-statement transaction per receiver would queue them behind each other's round trips, and the
// last receiver's statements are the task's tail.
const SAVE_MEASUREMENT = `
WITH files AS (
  INSERT INTO artifact_files AS f
    (id, artifact_id, owner_id, bucket, object_key, content_type, size_bytes, sha256, original_filename, status)
  SELECT gen_random_uuid(), $1::uuid, $2::uuid, v.bucket, v.object_key, v.content_type, v.size_bytes, v.sha256,
         v.original_filename, 'ready'
    FROM jsonb_to_recordset($3::jsonb) AS v(role text, bucket text, object_key text, content_type text,
                                            size_bytes bigint, sha256 text, original_filename text)
  ON CONFLICT (bucket, object_key) DO UPDATE
    SET content_type = EXCLUDED.content_type, size_bytes = EXCLUDED.size_bytes, sha256 = EXCLUDED.sha256,
        original_filename = EXCLUDED.original_filename, status = 'ready', deleted_at = NULL, updated_at = now()
  RETURNING f.id, f.object_key
), saved AS (
INSERT INTO measurements AS m
  (id, task_id, receiver_id, sample_count, snr_db, npy_file_id, metadata_file_id, npy_sha256, npy_size,
   started_at, ended_at)
VALUES (gen_random_uuid(), $4::uuid, $5, $6, $7,
        (SELECT id FROM files WHERE object_key = $8), (SELECT id FROM files WHERE object_key = $9),
        $10, $11, $12, $13)
ON CONFLICT (task_id, receiver_id) DO UPDATE
  SET sample_count = EXCLUDED.sample_count, snr_db = EXCLUDED.snr_db, npy_file_id = EXCLUDED.npy_file_id,
      metadata_file_id = EXCLUDED.metadata_file_id, npy_sha256 = EXCLUDED.npy_sha256,
      npy_size = EXCLUDED.npy_size, started_at = EXCLUDED.started_at, ended_at = EXCLUDED.ended_at
RETURNING m.receiver_id, m.npy_file_id, m.metadata_file_id, m.npy_sha256, m.npy_size, m.sample_count, m.snr_db
), counted AS (
  UPDATE acquisition_tasks SET current = current + 1, successful = successful + 1 WHERE id = $4::uuid
  RETURNING current, total, successful, failed
)
SELECT saved.*, counted.* FROM saved, counted`;

interface SavedRow extends Counters {
  receiver_id: string;
  npy_file_id: string;
  metadata_file_id: string;
  npy_sha256: string;
  npy_size: string;
  sample_count: number;
  snr_db: number | null;
}

/**
 * Records a stored pair: artifact_files rows upserted on (bucket, key) and the measurement on
 * (task, receiver), so a redelivered task that stores the same receiver again updates, never
 * duplicates; and counts the receiver as done, returning the task's counters for progress.
 */
export async function saveMeasurement(
  db: Db,
  record: MeasurementRecord,
): Promise<{ measurement: StoredMeasurement; counters: Counters }> {
  const { task } = record;
  const file = (f: StoredFile) => ({
    bucket: f.bucket,
    object_key: f.key,
    content_type: f.contentType,
    size_bytes: f.size,
    sha256: f.sha256,
    original_filename: f.filename,
  });
  const { rows } = await db.pool.query<SavedRow>(SAVE_MEASUREMENT, [
    task.artifactId,
    task.userId,
    JSON.stringify([file(record.npy), file(record.metadata)]),
    task.id,
    record.receiverId,
    record.sampleCount,
    record.snrDb,
    record.npy.key,
    record.metadata.key,
    record.npy.sha256,
    record.npy.size,
    record.startedAt,
    record.endedAt,
  ]);
  const row = rows[0]!;
  return {
    measurement: {
      receiverId: row.receiver_id,
      npyFileId: row.npy_file_id,
      metadataFileId: row.metadata_file_id,
      sha256: row.npy_sha256,
      size: Number(row.npy_size),
      sampleCount: row.sample_count,
      snrDb: row.snr_db,
    },
    counters: { current: row.current, total: row.total, successful: row.successful, failed: row.failed },
  };
}

/** A receiver failed: counters move atomically, whatever runs in parallel. */
export async function countFailedReceiver(db: Db, taskId: string): Promise<Counters> {
  const { rows } = await db.pool.query<Counters>(
    `UPDATE acquisition_tasks SET current = current + 1, failed = failed + 1
      WHERE id = $1
      RETURNING current, total, successful, failed`,
    [taskId],
  );
  return rows[0]!;
}

/** Raw SQL, like the statements above: it is the last step of every task, on its critical path.
 *  Only a running task finishes: one the user cancelled meanwhile stays CANCELLED. */
export async function finishTask(
  db: Db,
  taskId: string,
  outcome: { result: AcquisitionResult; error: string | null },
): Promise<void> {
  await db.pool.query(
    `UPDATE acquisition_tasks
        SET state = $2::"AcquisitionState", result = $3::jsonb, error = $4, finished_at = now()
      WHERE id = $1 AND state = 'RUNNING'`,
    [taskId, outcome.result.status, JSON.stringify(outcome.result), outcome.error],
  );
}

/** The bus gave up on the task: FAILED with a reason, unless it already finished. */
export async function markFailed(db: Db, taskId: string, reason: string): Promise<{ userId: string } | null> {
  const rows = await db.prisma.acquisitionTask.updateManyAndReturn({
    where: { id: taskId, state: { notIn: FINAL } },
    data: { state: 'FAILED', error: reason, finishedAt: new Date() },
    select: { userId: true },
  });
  return rows[0] ?? null;
}
