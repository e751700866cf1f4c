import { describe, expect, it } from '@jest/globals';
import { formatCount, formatValue, renderPdf, renderXlsx, sheetName } from '@pulse/report-render';
import { pdfText, readWorkbook } from './read-back';
import { sampleReportData } from './sample-data';

describe('renderPdf', () => {
  it('renders a title page, a table per device, charts and page numbers, with non-ASCII names as text', async () => {
    const data = sampleReportData();
    const pdf = await renderPdf(data);
    expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
    const text = pdfText(pdf);

    expect(text).toContain('Zoë Ørsted-Dvořák');
    expect(text).toContain('October 2026 (2026-10)');
    expect(text).toContain('Kühlhaus Łódź');
    expect(text).toContain('No telemetry in this period.');
    const humidity = data.devices[0]!.metrics[0]!.total;
    for (const cell of [
      formatCount(humidity.count),
      formatValue(humidity.min),
      formatValue(humidity.avg),
      formatValue(humidity.max),
    ]) {
      expect(text).toContain(cell);
    }
    expect(text).toContain('humidity — daily min–max and average');
    // Title page + one page per device.
    expect(text).toContain('Page 1 of 4');
    expect(text).toContain('Page 4 of 4');
    expect(text).not.toContain('Page 5');
  });

  it('cuts a name too long for its table cell instead of wrapping it into the next row', async () => {
    const data = sampleReportData();
    const metric = data.devices[1]!.metrics[0]!;
    data.devices[1]!.metrics = [{ ...metric, metric: 'outside_temperature_with_a_very_long_metric_name' }];
    const text = pdfText(await renderPdf(data));
    expect(text).toMatch(/outside_temperature_with_a_…\s+720/);
    expect(text).not.toMatch(/^\s*ery_long_metric_name/m);
  });

  it('renders a follower without devices', async () => {
    const text = pdfText(await renderPdf(sampleReportData({ devices: [] })));
    expect(text).toContain('You follow no devices.');
    expect(text).toContain('Page 1 of 1');
  });
});

describe('renderXlsx', () => {
  it('writes a summary sheet and one typed, filterable sheet per device', async () => {
    const data = sampleReportData();
    const workbook = await readWorkbook(await renderXlsx(data));

    expect(workbook.worksheets.map((s) => s.name)).toEqual([
      'Summary',
      'Kühlhaus Łódź',
      'Boiler room',
      'Silent sensor',
    ]);
    const summary = workbook.getWorksheet('Summary')!;
    expect(summary.views[0]).toMatchObject({ state: 'frozen', ySplit: 1 });
    expect(summary.autoFilter).toBeTruthy();
    expect(summary.getRow(1).values).toEqual([
      undefined,
      'Device ID',
      'Device',
      'Site',
      'Metric',
      'Count',
      'Min',
      'Avg',
      'Max',
    ]);
    const first = summary.getRow(2);
    const humidity = data.devices[0]!.metrics[0]!.total;
    expect(first.getCell(4).value).toBe('humidity');
    expect(first.getCell(5).value).toBe(humidity.count);
    expect(first.getCell(7).value).toBeCloseTo(humidity.avg, 10);
    expect(first.getCell(7).numFmt).toBe('0.00');
    expect(summary.rowCount).toBe(1 + 3);

    const daily = workbook.getWorksheet('Kühlhaus Łódź')!;
    expect(daily.views[0]).toMatchObject({ state: 'frozen', ySplit: 1 });
    const row = daily.getRow(2);
    expect(row.getCell(1).value).toEqual(new Date('2026-10-01T00:00:00Z'));
    expect(row.getCell(1).numFmt).toBe('yyyy-mm-dd');
    expect(row.getCell(2).value).toBe('humidity');
    expect(typeof row.getCell(5).value).toBe('number');
    // 30 days with data (one gap) × 2 metrics.
    expect(daily.rowCount).toBe(1 + 60);
    expect(workbook.getWorksheet('Silent sensor')!.rowCount).toBe(1);
  });

  it('makes sheet names Excel accepts and keeps them unique', () => {
    const taken = new Set(['summary']);
    expect(sheetName('a/b:c*d?[e]', taken)).toBe('a_b_c_d__e_');
    expect(sheetName('Summary', taken)).toBe('Summary-2');
    const long = 'x'.repeat(40);
    expect(sheetName(long, taken)).toBe('x'.repeat(31));
    expect(sheetName(long, taken)).toBe(`${'x'.repeat(29)}-2`);
  });
});
