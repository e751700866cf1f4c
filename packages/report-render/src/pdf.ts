import PDFDocument from 'pdfkit';
import { type DeviceReport, frequencyOf, periodLabel, type ReportData } from '@pulse/reports';
import { reportFonts } from './fonts';
import { formatCount, formatValue } from './format';
import { drawDailyChart } from './pdf-chart';
import { fitText } from './pdf-text';

const MARGIN = 50;
const CHART_HEIGHT = 150;
const COLUMNS = [
  { title: 'Metric', width: 155, align: 'left' },
  { title: 'Count', width: 70, align: 'right' },
  { title: 'Min', width: 90, align: 'right' },
  { title: 'Avg', width: 90, align: 'right' },
  { title: 'Max', width: 90, align: 'right' },
] as const;

/** Renders the follower's PDF in memory: title page, then per device a summary table and daily charts. */
export function renderPdf(data: ReportData): Promise<Buffer> {
  const fonts = reportFonts();
  // bufferPages keeps every page open until the end, so "Page n of m" can be written once m is known.
  const doc = new PDFDocument({
    size: 'A4',
    margin: MARGIN,
    bufferPages: true,
    info: { Title: `Pulse report ${data.period}`, Author: 'Pulse', Subject: data.follower.name },
  });
  // pdfkit 0.20 takes a parsed fontkit font (anything with `layout`); @types/pdfkit only lists file sources.
  doc.registerFont('body', fonts.regular as unknown as PDFKit.Mixins.PDFFontSource);
  doc.registerFont('bold', fonts.bold as unknown as PDFKit.Mixins.PDFFontSource);

  const chunks: Buffer[] = [];
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on('data', (c: Buffer) => chunks.push(c));
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });

  titlePage(doc, data);
  for (const device of data.devices) deviceSection(doc, device, data.period);
  pageNumbers(doc, data);
  doc.end();
  return done;
}

function contentWidth(doc: PDFKit.PDFDocument): number {
  return doc.page.width - MARGIN * 2;
}

function titlePage(doc: PDFKit.PDFDocument, data: ReportData): void {
  const width = contentWidth(doc);
  doc.font('bold').fontSize(11).fillColor('#1f5fa8').text('PULSE', MARGIN, 120, { characterSpacing: 3 });
  doc
    .moveDown(0.5)
    .fontSize(28)
    .fillColor('#111111')
    .text(frequencyOf(data.period) === 'weekly' ? 'Weekly device report' : 'Monthly device report', { width });
  doc.moveDown(1.2).font('body').fontSize(12).fillColor('#555555').text('Prepared for');
  doc.font('bold').fontSize(22).fillColor('#111111').text(data.follower.name, { width });
  doc.moveDown(1).font('body').fontSize(12).fillColor('#555555').text('Period');
  doc
    .font('bold')
    .fontSize(18)
    .fillColor('#111111')
    .text(`${periodLabel(data.period)} (${data.period})`);
  doc.font('body').fontSize(10).fillColor('#555555').text(`Days and period boundaries in ${data.timeZone}`);

  doc.moveDown(2).font('bold').fontSize(12).fillColor('#111111').text(`Devices (${data.devices.length})`);
  doc.font('body').fontSize(10).fillColor('#333333');
  if (data.devices.length === 0) doc.text('You follow no devices.');
  for (const d of data.devices) {
    const readings = d.metrics.reduce((n, m) => n + m.total.count, 0);
    doc.text(`•  ${d.name}  (${d.id}${d.site ? `, ${d.site}` : ''}) — ${formatCount(readings)} readings`, { width });
  }
  doc
    .moveDown(2)
    .fontSize(9)
    .fillColor('#777777')
    .text(`Generated ${data.generatedAt.toISOString().replace('T', ' ').slice(0, 16)} UTC`);
}

function deviceSection(doc: PDFKit.PDFDocument, device: DeviceReport, period: string): void {
  doc.addPage();
  const width = contentWidth(doc);
  doc.font('bold').fontSize(18).fillColor('#111111').text(device.name, MARGIN, MARGIN, { width });
  doc
    .font('body')
    .fontSize(10)
    .fillColor('#555555')
    .text([device.id, device.site].filter(Boolean).join(' · '), { width });
  doc.moveDown(1);

  if (device.metrics.length === 0) {
    doc.fontSize(11).fillColor('#333333').text('No telemetry in this period.');
    return;
  }
  summaryTable(doc, device);
  for (const metric of device.metrics) {
    // Keep a chart whole: start a new page rather than split it across two.
    if (doc.y + CHART_HEIGHT + 20 > doc.page.height - MARGIN) doc.addPage();
    const y = doc.y + 14;
    drawDailyChart(doc, metric, period, { x: MARGIN, y, width, height: CHART_HEIGHT });
    doc.x = MARGIN;
    doc.y = y + CHART_HEIGHT;
  }
}

function summaryTable(doc: PDFKit.PDFDocument, device: DeviceReport): void {
  const rowHeight = 18;
  const tableWidth = COLUMNS.reduce((w, c) => w + c.width, 0);
  const row = (cells: string[], y: number, header: boolean, shade: boolean) => {
    if (header || shade)
      doc
        .rect(MARGIN, y, tableWidth, rowHeight)
        .fillColor(header ? '#e4ebf3' : '#f6f8fa')
        .fill();
    let x = MARGIN;
    doc
      .font(header ? 'bold' : 'body')
      .fontSize(9)
      .fillColor('#111111');
    COLUMNS.forEach((col, i) => {
      doc.text(fitText(doc, cells[i] ?? '', col.width - 12), x + 6, y + 5, {
        width: col.width - 12,
        align: col.align,
        lineBreak: false,
      });
      x += col.width;
    });
  };

  let y = doc.y;
  row(
    COLUMNS.map((c) => c.title),
    y,
    true,
    false,
  );
  device.metrics.forEach((m, i) => {
    y += rowHeight;
    if (y + rowHeight > doc.page.height - MARGIN) {
      doc.addPage();
      y = MARGIN;
    }
    const t = m.total;
    row(
      [m.metric, formatCount(t.count), formatValue(t.min), formatValue(t.avg), formatValue(t.max)],
      y,
      false,
      i % 2 === 1,
    );
  });
  doc.x = MARGIN;
  doc.y = y + rowHeight + 6;
}

function pageNumbers(doc: PDFKit.PDFDocument, data: ReportData): void {
  const range = doc.bufferedPageRange();
  for (let i = range.start; i < range.start + range.count; i++) {
    doc.switchToPage(i);
    // Writing below the bottom margin would make pdfkit start a new page; lift the margin for the footer.
    const bottom = doc.page.margins.bottom;
    doc.page.margins.bottom = 0;
    const y = doc.page.height - 32;
    doc.font('body').fontSize(8).fillColor('#777777');
    doc.text(fitText(doc, `${data.follower.name} · ${data.period}`, 300), MARGIN, y, { width: 300, lineBreak: false });
    doc.text(`Page ${i + 1} of ${range.count}`, MARGIN, y, {
      width: contentWidth(doc),
      align: 'right',
      lineBreak: false,
    });
    doc.page.margins.bottom = bottom;
  }
}
