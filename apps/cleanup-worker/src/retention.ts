import type { CleanupDeps } from './deps';
import type { CleanupReport } from './report';

const DAY_MS = 86_400_000;
const FIRST_ID = '00000000-0000-0000-0000-000000000000';

interface ExpiringFile {
  id: string;
  bucket: string;
  object_key: string;
  size_bytes: string;
}

// Keyset pagination by id: rows whose object delete failed stay unchanged and must not be picked up
// again within the same run, while the next run retries them from the start.
const SELECT_EXPIRED = `
  SELECT f.id, f.bucket, f.object_key, f.size_bytes
    FROM artifact_files f
    JOIN artifacts a ON a.id = f.artifact_id
   WHERE f.status <> 'deleted'
     AND f.id > $1
     AND (f.expires_at < $2
          OR (a.kind = 'export' AND f.created_at < $3)
          OR (a.kind = 'report' AND f.created_at < $4)
          OR (a.kind = 'acquisition' AND f.created_at < $5))
   ORDER BY f.id
   LIMIT $6`;

// One statement, so a file is never marked deleted without its export job becoming expired.
const MARK_EXPIRED = `
  WITH gone AS (
    UPDATE artifact_files SET status = 'deleted', deleted_at = $2, updated_at = $2
     WHERE id = ANY($1::uuid[]) AND status <> 'deleted'
     RETURNING id
  ), jobs AS (
    UPDATE export_jobs SET status = 'expired'
     WHERE file_id IN (SELECT id FROM gone)
     RETURNING id
  )
  SELECT (SELECT count(*) FROM gone)::int AS files, (SELECT count(*) FROM jobs)::int AS jobs`;

/**
 * Files past their retention (by artifact kind: exports, reports, raw IQ) or past their own
 * `expires_at`: objects first, then rows. A row is only marked deleted once its object is confirmed
 * gone, so a failed delete leaves the row as it was and the next run tries again.
 */
export async function expireRetention(deps: CleanupDeps, report: CleanupReport): Promise<void> {
  const now = deps.now();
  const days = deps.config.app.retentionDays;
  const before = (d: number) => new Date(now.getTime() - d * DAY_MS);
  let afterId = FIRST_ID;
  for (;;) {
    if (deps.signal?.aborted) return;
    const { rows } = await deps.db.pool.query<ExpiringFile>(SELECT_EXPIRED, [
      afterId,
      now,
      before(days.exports),
      before(days.reports),
      before(days.rawIq),
      deps.config.app.batchSize,
    ]);
    if (rows.length === 0) return;
    afterId = rows[rows.length - 1]!.id;
    for (const [bucket, files] of groupBy(rows, (r) => r.bucket)) await expireBatch(deps, report, bucket, files);
  }
}

async function expireBatch(
  deps: CleanupDeps,
  report: CleanupReport,
  bucket: string,
  files: ExpiringFile[],
): Promise<void> {
  const tally = report.tally(bucket);
  for (const f of files) report.sample(bucket, 'expired', f.object_key);
  if (deps.dryRun) {
    tally.expiredFiles += files.length;
    tally.deletedObjects += files.length;
    tally.bytesFreed += sumBytes(files);
    return;
  }
  let gone: ExpiringFile[];
  try {
    const result = await deps.storage.deleteMany(
      bucket,
      files.map((f) => f.object_key),
    );
    // An object that is already gone (lifecycle got there first) is as good as deleted.
    const confirmed = new Set([
      ...result.deleted,
      ...result.errors.filter((e) => e.code === 'NoSuchKey').map((e) => e.key),
    ]);
    gone = files.filter((f) => confirmed.has(f.object_key));
    const failed = files.length - gone.length;
    if (failed > 0) {
      const first = result.errors.find((e) => e.code !== 'NoSuchKey');
      report.fail(
        'retention',
        bucket,
        { code: first?.code ?? 'Unknown', message: 'objects not deleted; retried next run' },
        failed,
      );
    }
  } catch (err) {
    report.fail('retention', bucket, err, files.length);
    return;
  }
  if (gone.length === 0) return;
  const { rows } = await deps.db.pool.query<{ files: number; jobs: number }>(MARK_EXPIRED, [
    gone.map((f) => f.id),
    deps.now(),
  ]);
  tally.expiredFiles += rows[0]?.files ?? 0;
  tally.deletedObjects += gone.length;
  tally.bytesFreed += sumBytes(gone);
}

const sumBytes = (files: ExpiringFile[]) => files.reduce((n, f) => n + Number(f.size_bytes), 0);

function groupBy<T>(items: T[], key: (item: T) => string): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    const list = out.get(k);
    if (list) list.push(item);
    else out.set(k, [item]);
  }
  return out;
}
