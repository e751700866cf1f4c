import { pipeline, Transform } from 'node:stream';
import type { PoolClient } from 'pg';
import { to as copyTo } from 'pg-copy-streams';
import type { ClaimedExport } from '@pulse/exports';
import { copyStatement, telemetrySelect } from '../telemetry-query';
import type { RowSource, SourceOptions } from './row-source';

const NEWLINE = 0x0a;

function countNewlines(chunk: Buffer): number {
  let n = 0;
  for (let i = chunk.indexOf(NEWLINE); i !== -1; i = chunk.indexOf(NEWLINE, i + 1)) n++;
  return n;
}

/**
 * CSV and NDJSON straight from `COPY ... TO STDOUT`: Postgres renders the lines, we only count them on
 * the way through. pg-copy-streams honours backpressure, so a slow upload pauses the COPY.
 */
export function copySource(
  client: PoolClient,
  job: ClaimedExport & { format: 'csv' | 'ndjson' },
  options: SourceOptions,
): RowSource {
  const sql = copyStatement(
    telemetrySelect(job, (v) => client.escapeLiteral(v)),
    job.format,
  );
  const copy = client.query(copyTo(sql));
  // The CSV header is a line too; a value with an embedded newline would also count, so the count is
  // for progress only and the final figure comes from Postgres (COPY n).
  const headerLines = job.format === 'csv' ? 1 : 0;
  let lines = 0;
  const counter = new Transform({
    transform(chunk: Buffer, _enc, done) {
      lines += countNewlines(chunk);
      options.onRows(Math.max(0, lines - headerLines));
      done(null, chunk);
    },
  });
  // Errors either way tear both down; the connection itself is discarded in close().
  pipeline(copy, counter, () => {});

  return {
    body: counter,
    rows: () => copy.rowCount || Math.max(0, lines - headerLines),
    async close(failed) {
      client.release(failed);
    },
  };
}
