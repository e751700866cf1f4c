import { type ObjectInfo, PULSE_KEY_PREFIXES, type Storage } from '@pulse/storage';
import type { CleanupDeps } from './deps';
import { eachWithLookahead, pages } from './pages';
import type { CleanupReport } from './report';
import type { SeenKeys } from '@pulse/files';

/**
 * Walks one bucket's Pulse prefixes page by page (one SQL lookup per page of keys, never the whole bucket in memory)
 * and removes objects that nothing refers to: no row at all and older than the grace period, or a
 * row marked deleted (a user deletion whose object delete failed). Any other row status — pending
 * uploads included — keeps the object. Returns false when the listing did not finish, so callers
 * don't mistake the unlisted rest of the bucket for missing objects.
 */
export async function scanBucket(
  deps: CleanupDeps,
  report: CleanupReport,
  options: { bucket: string; seen: SeenKeys },
): Promise<boolean> {
  const { bucket, seen } = options;
  const tally = report.tally(bucket);
  const graceCutoff = deps.now().getTime() - deps.config.app.orphanGraceMs;
  const { batchSize } = deps.config.app;
  const listing = pulseObjects(deps.storage, bucket, { pageSize: batchSize, signal: deps.signal });
  try {
    await eachWithLookahead(pages(listing, batchSize), async (page) => {
      tally.scannedObjects += page.length;
      const rows = await seen.lookup(
        bucket,
        page.map((o) => o.key),
      );
      const doomed: ObjectInfo[] = [];
      for (const object of page) {
        const status = rows.get(object.key);
        if (status === 'deleted') {
          tally.deletedRowObjects += 1;
          report.sample(bucket, 'deletedRowObjects', object.key);
          doomed.push(object);
        } else if (status === undefined && (object.lastModified?.getTime() ?? Number.POSITIVE_INFINITY) < graceCutoff) {
          tally.orphanObjects += 1;
          report.sample(bucket, 'orphans', object.key);
          doomed.push(object);
        }
      }
      await removeObjects(deps, report, bucket, doomed);
    });
    return !deps.signal?.aborted;
  } catch (err) {
    report.fail('scan', bucket, err);
    return false;
  }
}

/**
 * Only Pulse's own prefixes are listed: in a bucket shared with other software, their objects have no
 * row here and would all look like orphans.
 */
async function* pulseObjects(
  storage: Storage,
  bucket: string,
  options: { pageSize: number; signal?: AbortSignal },
): AsyncIterable<ObjectInfo> {
  for (const prefix of PULSE_KEY_PREFIXES) yield* storage.list(bucket, prefix, options);
}

async function removeObjects(
  deps: CleanupDeps,
  report: CleanupReport,
  bucket: string,
  objects: ObjectInfo[],
): Promise<void> {
  if (objects.length === 0) return;
  const tally = report.tally(bucket);
  if (deps.dryRun) {
    tally.deletedObjects += objects.length;
    tally.bytesFreed += objects.reduce((n, o) => n + o.size, 0);
    return;
  }
  // A refused or unconfirmed delete leaves the object listed, so the next run finds it again.
  const result = await deps.storage.deleteMany(
    bucket,
    objects.map((o) => o.key),
  );
  const deleted = new Set(result.deleted);
  tally.deletedObjects += deleted.size;
  tally.bytesFreed += objects.reduce((n, o) => n + (deleted.has(o.key) ? o.size : 0), 0);
  const failed = objects.length - deleted.size;
  if (failed > 0) {
    const code = result.errors[0]?.code ?? 'Unknown';
    report.fail('scan', bucket, { code, message: 'objects not deleted; retried next run' }, failed);
  }
}
