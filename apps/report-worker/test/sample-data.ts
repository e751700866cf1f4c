import { type DeviceReport, daysOf, type ReportData } from '@pulse/reports';

/** A deterministic report for render tests: two devices, smooth daily curves, one gap, one silent device. */
export function sampleReportData(overrides: Partial<ReportData> = {}): ReportData {
  const period = overrides.period ?? '2026-10';
  const metric = (name: string, base: number, amplitude: number) => {
    const daily = daysOf(period)
      .filter((_, i) => i !== 12)
      .map((day, i) => {
        const avg = base + amplitude * Math.sin(i / 4);
        return { day, count: 24, min: avg - amplitude / 3, avg, max: avg + amplitude / 3 };
      });
    const count = daily.reduce((n, d) => n + d.count, 0);
    return {
      metric: name,
      total: {
        count,
        min: Math.min(...daily.map((d) => d.min)),
        avg: daily.reduce((s, d) => s + d.avg * d.count, 0) / count,
        max: Math.max(...daily.map((d) => d.max)),
      },
      daily,
    };
  };
  const devices: DeviceReport[] = [
    {
      id: 'dev-001',
      name: 'Kühlhaus Łódź',
      site: 'Łódź',
      metrics: [metric('humidity', 55, 12), metric('temperature', 4, 2.5)],
    },
    { id: 'dev-002', name: 'Boiler room', site: null, metrics: [metric('pressure', 1013, 6)] },
    { id: 'dev-003', name: 'Silent sensor', site: 'Zürich', metrics: [] },
  ];
  return {
    period,
    timeZone: 'UTC',
    follower: { id: '00000000-0000-4000-8000-000000000001', name: 'Zoë Ørsted-Dvořák', email: 'zoe@example.com' },
    devices,
    generatedAt: new Date('2026-11-01T02:00:00Z'),
    ...overrides,
  };
}
