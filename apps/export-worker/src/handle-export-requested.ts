import { type Bus, type MessageContext, type Payload, PermanentError } from '@pulse/bus';
import type { Db } from '@pulse/db';
import type { Logger } from '@pulse/logger';
import { abortLeftoverUploads, type PutResult, type Storage } from '@pulse/storage';
import type { ExportSettings } from './config';
import { exportFilename, exportKey, FORMATS } from './formats';
import {
  type ClaimedExport,
  claimJob,
  completeJob,
  exportFailureKind,
  exportFailureReason,
  recordProgress,
  releaseForRetry,
  rootCause,
} from '@pulse/exports';
import { throttleProgress } from './progress';
import { copySource } from './sources/copy-source';
import type { RowSource, SourceOptions } from './sources/row-source';
import { xlsxSource } from './sources/xlsx-source';

export interface ExportDeps {
  db: Db;
  storage: Storage;
  bus: Pick<Bus, 'emit'>;
  logger: Logger;
  /** The exports bucket (config `s3.buckets.exports`). */
  bucket: string;
  settings: ExportSettings;
}

export type ExportContext = Pick<MessageContext, 'signal' | 'working' | 'deliveryCount'>;

const DAY_MS = 86_400_000;

/**
 * `export.requested` handler: claims the job, streams the rows from Postgres into the exports bucket
 * and records the file. Safe to run twice for the same message: a finished job is acknowledged and
 * left alone, and the object key is deterministic, so a retry overwrites rather than duplicates.
 */
export async function handleExport(
  deps: ExportDeps,
  payload: Payload<'export.requested'>,
  ctx: ExportContext,
): Promise<void> {
  const { exportId } = payload;
  const log = deps.logger.child({ exportId });
  const claim = await claimJob(deps.db, exportId);
  if (!claim.claimed) {
    if (claim.status === null) throw new PermanentError('the export no longer exists');
    log.info(
      { event: 'export_skipped', status: claim.status, deliveryCount: ctx.deliveryCount },
      'export already finished',
    );
    return;
  }
  const { job } = claim;
  if (!(job.from < job.to)) throw new PermanentError('the export range is empty: "from" must be before "to"');

  try {
    await runExport(deps, job, ctx, log);
  } catch (err) {
    if (err instanceof PermanentError) throw err;
    // The user reads a stable sentence; the error itself (SQL, bucket, SDK names) stays in this log.
    const failure = exportFailureReason(err);
    log.warn(
      {
        event: 'export_attempt_failed',
        attempt: job.attempts,
        kind: exportFailureKind(err),
        error: err instanceof Error ? err.message : String(err),
        err: rootCause(err),
      },
      'export attempt failed',
    );
    const reason = ctx.signal.aborted
      ? 'interrupted by a worker restart; it will resume'
      : `attempt ${job.attempts} failed: ${failure}; retrying`;
    await releaseForRetry(deps.db, job.id, reason).catch((dbErr: unknown) =>
      log.warn({ event: 'export_release_error', err: dbErr }, 'could not record the failed attempt'),
    );
    // The bus puts the last message into the dead-letter reason, which the user ends up reading.
    throw new Error(failure, { cause: err });
  }
}

async function runExport(deps: ExportDeps, job: ClaimedExport, ctx: ExportContext, log: Logger): Promise<void> {
  const started = performance.now();
  const format = FORMATS[job.format];
  const key = exportKey(job.id, job.format);
  const filename = exportFilename(job);

  const progress = throttleProgress({
    intervalMs: deps.settings.progressThrottleMs,
    logger: log,
    async report(rows) {
      ctx.working();
      deps.bus.emit('export.progress', { exportId: job.id, userId: job.userId, rowsDone: rows, status: 'running' });
      await recordProgress(deps.db, job.id, rows);
    },
  });

  const client = await deps.db.pool.connect();
  let source: RowSource;
  try {
    source = openSource(client, job, { onRows: (rows) => progress.update(rows) }, deps.settings);
  } catch (err) {
    client.release(true);
    throw err;
  }
  let stored: PutResult;
  try {
    stored = await deps.storage.put(deps.bucket, key, source.body, {
      contentType: format.contentType,
      signal: ctx.signal,
      metadata: { 'export-id': job.id, format: job.format },
    });
  } catch (err) {
    await source.close(true);
    await progress.settle();
    throw err;
  }
  await source.close(false);
  await progress.settle();
  const rows = source.rows();

  const result = await completeJob(deps.db, job, {
    bucket: deps.bucket,
    key,
    contentType: format.contentType,
    filename,
    size: stored.size,
    sha256: stored.sha256,
    rows,
    expiresAt: new Date(Date.now() + deps.settings.retentionDays * DAY_MS),
  });
  if (!result.completed) {
    if (result.reason === 'gone') {
      // Deleted by its owner while we were writing it: don't leave an object nobody can reach.
      await deps.storage.deleteQuietly(deps.bucket, key);
      log.info({ event: 'export_discarded' }, 'export deleted while running; object removed');
    } else {
      log.info({ event: 'export_skipped', status: 'finished' }, 'another delivery finished this export first');
    }
    return;
  }
  await abortLeftoverUploads(deps.storage, deps.bucket, key, log);
  deps.bus.emit('export.completed', {
    exportId: job.id,
    userId: job.userId,
    status: 'succeeded',
    fileId: result.fileId,
  });
  log.info(
    {
      event: 'file_created',
      fileId: result.fileId,
      format: job.format,
      rows,
      bytes: stored.size,
      durationMs: Math.round(performance.now() - started),
      attempt: job.attempts,
    },
    'export file created',
  );
}

function openSource(
  client: Parameters<typeof copySource>[0],
  job: ClaimedExport,
  options: SourceOptions,
  settings: ExportSettings,
): RowSource {
  if (job.format === 'xlsx') return xlsxSource(client, job, { ...options, fetchRows: settings.xlsxFetchRows });
  return copySource(client, { ...job, format: job.format }, options);
}
