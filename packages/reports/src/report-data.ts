/** What one follower's report shows: the devices they follow, with per-metric statistics for the period. */
export interface MetricStats {
  count: number;
  min: number;
  avg: number;
  max: number;
}

export interface DailyStats extends MetricStats {
  /** `YYYY-MM-DD` in the report's time zone. */
  day: string;
}

export interface MetricReport {
  metric: string;
  total: MetricStats;
  /** Only days with data, ascending. */
  daily: DailyStats[];
}

export interface DeviceReport {
  id: string;
  name: string;
  site: string | null;
  /** Ascending by metric name; empty when the device sent nothing in the period. */
  metrics: MetricReport[];
}

export interface ReportData {
  period: string;
  timeZone: string;
  follower: { id: string; name: string; email: string };
  devices: DeviceReport[];
  generatedAt: Date;
}
