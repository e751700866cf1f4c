import type { Storage } from '@pulse/storage';
import type pg from 'pg';
import type { Stack } from './stack';
import { scanForSecrets, type SecretHit } from './secrets-scan';
import { waitFor } from '@pulse/testing';

/** Counts objects under `prefix` (paginated, so any number). */
export async function countObjects(storage: Storage, bucket: string, prefix = ''): Promise<number> {
  let n = 0;
  for await (const _ of storage.list(bucket, prefix)) n++;
  return n;
}

/** Multipart uploads started and never completed nor aborted: each one is storage nobody can see. */
export async function countIncompleteUploads(storage: Storage, bucket: string): Promise<number> {
  let n = 0;
  for await (const _ of storage.listMultipartUploads(bucket)) n++;
  return n;
}

export async function statusCounts(
  pool: pg.Pool,
  table: 'export_jobs',
  ids: string[],
): Promise<Record<string, number>> {
  const { rows } = await pool.query<{ status: string; n: string }>(
    `SELECT status::text, count(*) AS n FROM ${table} WHERE id = ANY($1::uuid[]) GROUP BY status`,
    [ids],
  );
  return Object.fromEntries(rows.map((r) => [r.status, Number(r.n)]));
}

/** Scans every app's output and the test's own storage log for secrets the stack knows about. */
export function scanStack(stack: Stack, extraSecrets: Iterable<string> = []): SecretHit[] {
  return scanForSecrets(
    [
      ...stack.apps.map((a) => ({ name: a.label, lines: a.lines })),
      { name: 'test-storage', lines: stack.testLogs.lines },
    ],
    [...stack.secrets, ...extraSecrets],
  );
}

export interface ExportRow {
  status: string;
  rows_done: string;
  attempts: number;
  error: string | null;
  file_id: string | null;
}

export async function exportRow(pool: pg.Pool, id: string): Promise<ExportRow | undefined> {
  const { rows } = await pool.query<ExportRow>(
    'SELECT status::text, rows_done, attempts, error, file_id FROM export_jobs WHERE id = $1',
    [id],
  );
  return rows[0];
}

export const isFinal = (status: string | undefined) => status === 'succeeded' || status === 'failed';

/** Waits until none of the exports is queued or running; returns the final status counts. */
export async function waitExportsFinal(
  stack: Stack,
  ids: string[],
  timeoutMs: number,
): Promise<Record<string, number>> {
  let last: Record<string, number> = {};
  try {
    return await waitFor(
      async () => {
        last = await statusCounts(stack.pool, 'export_jobs', ids);
        return (last.queued ?? 0) + (last.running ?? 0) === 0 ? last : undefined;
      },
      { timeoutMs, intervalMs: 500, what: `${ids.length} exports to finish` },
    );
  } catch (err) {
    throw new Error(`${(err as Error).message}; last counts ${JSON.stringify(last)}\n${describeApps(stack)}`);
  }
}

/** Per export: objects under its key and artifact_files rows; anything but exactly one is a duplicate or a loss. */
export async function exportArtifacts(
  stack: Stack,
  ids: string[],
): Promise<{ missing: number; duplicated: number; objects: number }> {
  const rows = await stack.pool.query<{ key: string; n: string }>(
    `SELECT split_part(object_key, '.', 1) AS key, count(*) AS n FROM artifact_files
      WHERE object_key LIKE 'exports/%' GROUP BY 1`,
  );
  const filesByExport = new Map(rows.rows.map((r) => [r.key.replace('exports/', ''), Number(r.n)]));
  const objectsByExport = new Map<string, number>();
  let objects = 0;
  for await (const o of stack.storage.list(stack.buckets.exports, 'exports/')) {
    objects++;
    const id = o.key.replace('exports/', '').split('.')[0]!;
    objectsByExport.set(id, (objectsByExport.get(id) ?? 0) + 1);
  }
  let missing = 0;
  let duplicated = 0;
  for (const id of ids) {
    const f = filesByExport.get(id) ?? 0;
    const o = objectsByExport.get(id) ?? 0;
    if (f === 0 || o === 0) missing++;
    duplicated += Math.max(0, f - 1) + Math.max(0, o - 1);
  }
  return { missing, duplicated, objects };
}

/** For failure messages: which apps still run, and the tail of each one's log. */
export function describeApps(stack: Stack, lines = 12): string {
  return stack.apps
    .map(
      (a) =>
        `--- ${a.label} (${a.isRunning() ? `running, pid ${a.pid}` : 'EXITED'}) ---\n${a.lines.slice(-lines).join('\n')}`,
    )
    .join('\n');
}
