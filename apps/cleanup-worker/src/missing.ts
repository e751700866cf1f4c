import { markMissing as markMissingFiles } from '@pulse/files';
import type { CleanupDeps } from './deps';
import { mapLimit } from './pages';
import type { CleanupReport } from './report';
import type { SeenKeys, UnseenFile } from '@pulse/files';

const FIRST_ID = '00000000-0000-0000-0000-000000000000';
/** Ids in the log line, so an operator can look rows up; bounded so the line stays small. */
const LOGGED_IDS = 20;

/**
 * After a complete listing of `bucket`: `ready` rows whose key was not listed. Each candidate is
 * confirmed with a HEAD first — an object uploaded after the listing passed its key is not missing —
 * then marked `missing`, logged (`file_missing`, ids only) and alerted once per bucket and run.
 */
export async function markMissing(
  deps: CleanupDeps,
  report: CleanupReport,
  options: { bucket: string; seen: SeenKeys; listedSince: Date },
): Promise<void> {
  const { bucket, seen, listedSince } = options;
  const tally = report.tally(bucket);
  const missingIds: string[] = [];
  let afterId = FIRST_ID;
  for (;;) {
    if (deps.signal?.aborted) break;
    const candidates = await seen.unseenReady(bucket, {
      createdBefore: listedSince,
      afterId,
      limit: deps.config.app.batchSize,
    });
    if (candidates.length === 0) break;
    afterId = candidates[candidates.length - 1]!.id;
    const gone = await confirmGone(deps, report, bucket, candidates);
    for (const f of gone) report.sample(bucket, 'missing', f.objectKey);
    if (deps.dryRun) {
      missingIds.push(...gone.map((f) => f.id));
      continue;
    }
    if (gone.length === 0) continue;
    missingIds.push(
      ...(await markMissingFiles(
        deps.db,
        gone.map((f) => f.id),
        deps.now(),
      )),
    );
  }
  tally.missingObjects += missingIds.length;
  if (missingIds.length === 0) return;
  deps.logger.warn(
    {
      event: 'file_missing',
      bucket,
      count: missingIds.length,
      fileIds: missingIds.slice(0, LOGGED_IDS),
      dryRun: deps.dryRun,
    },
    'files without an object',
  );
  if (!deps.dryRun) {
    await deps.alerter?.notify({
      event: 'file_missing',
      bucket,
      code: 'FileMissing',
      message: `${missingIds.length} file(s) have no object in the bucket; marked missing`,
    });
  }
}

async function confirmGone(
  deps: CleanupDeps,
  report: CleanupReport,
  bucket: string,
  files: UnseenFile[],
): Promise<UnseenFile[]> {
  const found = await mapLimit(files, deps.config.app.headConcurrency, async (f) => {
    try {
      return (await deps.storage.head(bucket, f.objectKey)) === null;
    } catch (err) {
      // Unknown is not missing: leave the row alone and look again next run.
      report.fail('missing', bucket, err, 1);
      return false;
    }
  });
  return files.filter((_, i) => found[i]);
}
