import type { Storage } from '@pulse/storage';
import type pg from 'pg';
import type { Stack } from './stack';
import { scanForSecrets, type SecretHit } from './secrets-scan';

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
