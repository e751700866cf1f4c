import type { ClaimedExport } from '@pulse/exports';

/** pg's own literal quoting (doubles quotes, E'' for backslashes): COPY takes no bind parameters. */
export type QuoteLiteral = (value: string) => string;

// ISO 8601 in UTC whatever the session time zone, identical in CSV and NDJSON.
const ISO_TS = `to_char(ts AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;

const COLUMNS = {
  csv: `${ISO_TS} AS ts, device_id, metric, value`,
  ndjson: `json_build_object('ts', ${ISO_TS}, 'device_id', device_id, 'metric', metric, 'value', value)::text`,
  // The cursor hands pg Date and number values straight to typed spreadsheet cells.
  xlsx: 'ts, device_id, metric, value',
} as const;

const textArray = (values: string[], quote: QuoteLiteral) => `ARRAY[${values.map(quote).join(', ')}]::text[]`;

/** The rows of one export, ordered by device then time; every value is quoted by the driver, never pasted raw. */
export function telemetrySelect(
  job: Pick<ClaimedExport, 'format' | 'deviceIds' | 'metrics' | 'from' | 'to'>,
  quote: QuoteLiteral,
): string {
  const where = [
    `device_id = ANY(${textArray(job.deviceIds, quote)})`,
    `ts >= ${quote(job.from.toISOString())}::timestamptz`,
    `ts < ${quote(job.to.toISOString())}::timestamptz`,
  ];
  if (job.metrics.length > 0) where.push(`metric = ANY(${textArray(job.metrics, quote)})`);
  return `SELECT ${COLUMNS[job.format]} FROM telemetry WHERE ${where.join(' AND ')} ORDER BY device_id, ts`;
}

/**
 * The COPY statement for the text formats. NDJSON uses CSV mode with a delimiter and quote byte that JSON
 * text can never contain (JSON escapes every control character), so each line is the JSON exactly as
 * Postgres rendered it: text-mode COPY would double every backslash.
 */
export function copyStatement(select: string, format: 'csv' | 'ndjson'): string {
  return format === 'csv'
    ? `COPY (${select}) TO STDOUT WITH (FORMAT csv, HEADER true)`
    : `COPY (${select}) TO STDOUT WITH (FORMAT csv, DELIMITER E'\\x01', QUOTE E'\\x02')`;
}
