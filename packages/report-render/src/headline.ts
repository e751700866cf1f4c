import type { MetricStats, ReportData } from '@pulse/reports';

export interface Headline {
  devices: number;
  readings: number;
  /** Each metric over every device in the report (count-weighted average), by metric name. */
  metrics: (MetricStats & { metric: string })[];
}

/** The period at a glance, for the email: the same totals the PDF's tables show, summed over devices. */
export function headlineFigures(data: ReportData): Headline {
  const byMetric = new Map<string, MetricStats & { metric: string; sum: number }>();
  for (const d of data.devices) {
    for (const m of d.metrics) {
      const t = m.total;
      const acc = byMetric.get(m.metric) ?? { metric: m.metric, count: 0, min: t.min, avg: 0, max: t.max, sum: 0 };
      acc.count += t.count;
      acc.min = Math.min(acc.min, t.min);
      acc.max = Math.max(acc.max, t.max);
      acc.sum += t.avg * t.count;
      byMetric.set(m.metric, acc);
    }
  }
  const metrics = [...byMetric.values()]
    .sort((a, b) => a.metric.localeCompare(b.metric))
    .map(({ sum, ...m }) => ({ ...m, avg: m.count ? sum / m.count : 0 }));
  return { devices: data.devices.length, readings: metrics.reduce((n, m) => n + m.count, 0), metrics };
}
