import type pg from 'pg';
import { FollowerNotFoundError } from './errors';
import { periodRange } from './periods';
import type { DeviceReport, MetricReport, ReportData } from './report-data';

export interface LoadReportDataOptions {
  followerId: string;
  /** `YYYY-MM` or `YYYY-Www`. */
  period: string;
  timeZone: string;
  /** The subscription's choice; null or absent: every followed device. Unfollowed ids are ignored. */
  deviceIds?: string[] | null;
  now?: Date;
}

interface StatsRow {
  device_id: string;
  metric: string;
  /** null on the period-total rows of the grouping sets. */
  day: string | null;
  count: number;
  min: number;
  avg: number;
  max: number;
}

const FOLLOWER = 'SELECT id, name, email FROM users WHERE id = $1';

const DEVICES = `SELECT d.id, d.name, d.site FROM device_follows f JOIN devices d ON d.id = f.device_id
  WHERE f.user_id = $1 AND ($2::text[] IS NULL OR f.device_id = ANY($2)) ORDER BY d.name, d.id`;

// One scan of the period's telemetry yields both the period totals and the daily rows (GROUPING SETS).
// Period and day boundaries are local midnights in the report's time zone, so "October" means the local
// October and a week starts at 00:00 on Monday there (DST included: the bounds are converted per date).
const STATS = `WITH bounds AS (
    SELECT ($2::timestamp AT TIME ZONE $4) AS lo, ($3::timestamp AT TIME ZONE $4) AS hi
  )
  SELECT t.device_id, t.metric,
         to_char(date_trunc('day', t.ts AT TIME ZONE $4), 'YYYY-MM-DD') AS day,
         count(*)::int AS count, min(t.value) AS min, avg(t.value) AS avg, max(t.value) AS max
  FROM telemetry t
  JOIN device_follows f ON f.device_id = t.device_id AND f.user_id = $1
  CROSS JOIN bounds b
  WHERE t.ts >= b.lo AND t.ts < b.hi AND ($5::text[] IS NULL OR t.device_id = ANY($5))
  GROUP BY GROUPING SETS ((t.device_id, t.metric), (t.device_id, t.metric, date_trunc('day', t.ts AT TIME ZONE $4)))
  ORDER BY t.device_id, t.metric, day NULLS FIRST`;

/** Reads everything one follower's report needs with three queries, aggregated in Postgres. */
export async function loadReportData(pool: pg.Pool, options: LoadReportDataOptions): Promise<ReportData> {
  const { followerId, period, timeZone } = options;
  const { start, end } = periodRange(period);
  const deviceIds = options.deviceIds ?? null;
  const [follower, devices, stats] = await Promise.all([
    pool.query<ReportData['follower']>(FOLLOWER, [followerId]),
    pool.query<{ id: string; name: string; site: string | null }>(DEVICES, [followerId, deviceIds]),
    pool.query<StatsRow>(STATS, [followerId, start, end, timeZone, deviceIds]),
  ]);
  const user = follower.rows[0];
  if (!user) throw new FollowerNotFoundError(followerId);

  const byDevice = new Map<string, Map<string, MetricReport>>();
  for (const row of stats.rows) {
    const metrics = byDevice.get(row.device_id) ?? new Map<string, MetricReport>();
    byDevice.set(row.device_id, metrics);
    const values = { count: row.count, min: row.min, avg: row.avg, max: row.max };
    const metric = metrics.get(row.metric);
    if (row.day === null) metrics.set(row.metric, { metric: row.metric, total: values, daily: [] });
    else metric?.daily.push({ day: row.day, ...values });
  }

  return {
    period,
    timeZone,
    follower: user,
    devices: devices.rows.map((d): DeviceReport => ({ ...d, metrics: [...(byDevice.get(d.id)?.values() ?? [])] })),
    generatedAt: options.now ?? new Date(),
  };
}
