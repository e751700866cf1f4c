import { expireExportsOfFiles } from '@pulse/exports';
import { type ExpiringFile, expireFiles, listExpiredFiles } from '@pulse/files';
import type { CleanupDeps } from './deps';
import type { CleanupReport } from './report';

const DAY_MS = 86_400_000;
const FIRST_ID = '00000000-0000-0000-0000-000000000000';

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
    const rows = await listExpiredFiles(deps.db, {
      afterId,
      now,
      createdBefore: { export: before(days.exports), report: before(days.reports), acquisition: before(days.rawIq) },
      limit: deps.config.app.batchSize,
    });
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
  for (const f of files) report.sample(bucket, 'expired', f.objectKey);
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
      files.map((f) => f.objectKey),
    );
    // An object that is already gone (lifecycle got there first) is as good as deleted.
    const confirmed = new Set([
      ...result.deleted,
      ...result.errors.filter((e) => e.code === 'NoSuchKey').map((e) => e.key),
    ]);
    gone = files.filter((f) => confirmed.has(f.objectKey));
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
  // One transaction: a file is never seen deleted while its export job still says succeeded.
  const expired = await deps.db.prisma.$transaction(async (tx) => {
    const ids = await expireFiles(
      tx,
      gone.map((f) => f.id),
      deps.now(),
    );
    await expireExportsOfFiles(tx, ids);
    return ids;
  });
  tally.expiredFiles += expired.length;
  tally.deletedObjects += gone.length;
  tally.bytesFreed += sumBytes(gone);
}

const sumBytes = (files: ExpiringFile[]) => files.reduce((n, f) => n + f.sizeBytes, 0);

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
