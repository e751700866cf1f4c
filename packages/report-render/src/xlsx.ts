import ExcelJS from 'exceljs';
import type { ReportData } from '@pulse/reports';

const NUMBER = '0.00';
const DATE = 'yyyy-mm-dd';

interface ColumnSpec {
  header: string;
  key: string;
  width: number;
  numFmt?: string;
}

const SUMMARY_COLUMNS: ColumnSpec[] = [
  { header: 'Device ID', key: 'deviceId', width: 16 },
  { header: 'Device', key: 'device', width: 28 },
  { header: 'Site', key: 'site', width: 18 },
  { header: 'Metric', key: 'metric', width: 16 },
  { header: 'Count', key: 'count', width: 10, numFmt: '0' },
  { header: 'Min', key: 'min', width: 12, numFmt: NUMBER },
  { header: 'Avg', key: 'avg', width: 12, numFmt: NUMBER },
  { header: 'Max', key: 'max', width: 12, numFmt: NUMBER },
];

const DAILY_COLUMNS: ColumnSpec[] = [
  { header: 'Date', key: 'date', width: 12, numFmt: DATE },
  { header: 'Metric', key: 'metric', width: 16 },
  { header: 'Count', key: 'count', width: 10, numFmt: '0' },
  { header: 'Min', key: 'min', width: 12, numFmt: NUMBER },
  { header: 'Avg', key: 'avg', width: 12, numFmt: NUMBER },
  { header: 'Max', key: 'max', width: 12, numFmt: NUMBER },
];

/** Excel forbids []:*?/\ in sheet names and caps them at 31 characters; names must also be unique. */
export function sheetName(name: string, taken: Set<string>): string {
  const base =
    name
      .replace(/[[\]:*?/\\]/g, '_')
      .trim()
      .slice(0, 31) || 'Device';
  let candidate = base;
  for (let n = 2; taken.has(candidate.toLowerCase()); n++) candidate = `${base.slice(0, 31 - `-${n}`.length)}-${n}`;
  taken.add(candidate.toLowerCase());
  return candidate;
}

function addSheet(workbook: ExcelJS.Workbook, name: string, columns: ColumnSpec[]): ExcelJS.Worksheet {
  const sheet = workbook.addWorksheet(name, { views: [{ state: 'frozen', ySplit: 1 }] });
  sheet.columns = columns.map((c) => ({
    header: c.header,
    key: c.key,
    width: c.width,
    style: c.numFmt ? { numFmt: c.numFmt } : {},
  }));
  sheet.getRow(1).font = { bold: true };
  sheet.autoFilter = { from: { row: 1, column: 1 }, to: { row: 1, column: columns.length } };
  return sheet;
}

/** Renders the follower's workbook in memory: a summary sheet and one sheet of daily rows per device. */
export async function renderXlsx(data: ReportData): Promise<Buffer> {
  const workbook = new ExcelJS.Workbook();
  workbook.creator = 'Pulse';
  workbook.created = data.generatedAt;
  workbook.title = `Pulse report ${data.period}`;

  const summary = addSheet(workbook, 'Summary', SUMMARY_COLUMNS);
  const taken = new Set(['summary']);
  for (const device of data.devices) {
    for (const m of device.metrics) {
      summary.addRow({
        deviceId: device.id,
        device: device.name,
        site: device.site ?? '',
        metric: m.metric,
        ...m.total,
      });
    }
    const sheet = addSheet(workbook, sheetName(device.name, taken), DAILY_COLUMNS);
    const rows = device.metrics
      .flatMap((m) => m.daily.map((d) => ({ ...d, metric: m.metric })))
      .sort((a, b) => a.day.localeCompare(b.day) || a.metric.localeCompare(b.metric));
    for (const r of rows) {
      // A real date cell (UTC midnight), so Excel sorts and filters it as a date, not as text.
      sheet.addRow({
        date: new Date(`${r.day}T00:00:00Z`),
        metric: r.metric,
        count: r.count,
        min: r.min,
        avg: r.avg,
        max: r.max,
      });
    }
  }
  return Buffer.from(await workbook.xlsx.writeBuffer());
}
