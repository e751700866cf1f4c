import { daysOf, type MetricReport } from '@pulse/reports';
import { formatValue } from './format';
import { fitText } from './pdf-text';

export interface ChartBox {
  x: number;
  y: number;
  width: number;
  height: number;
}

const AXIS = '#555555';
const GRID = '#dddddd';
const RANGE = '#b7d3f2';
const AVG = '#1f5fa8';

/** Round tick values so the axis reads 0, 5, 10 … rather than 0.37, 3.91 … */
export function niceTicks(min: number, max: number, count = 4): number[] {
  if (min === max) {
    const pad = Math.abs(min) > 0 ? Math.abs(min) * 0.1 : 1;
    return niceTicks(min - pad, max + pad, count);
  }
  const raw = (max - min) / count;
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const step = ([1, 2, 2.5, 5, 10].find((m) => m * magnitude >= raw) ?? 10) * magnitude;
  const ticks: number[] = [];
  for (let v = Math.floor(min / step) * step; v <= max + step * 0.999; v += step) ticks.push(Number(v.toPrecision(12)));
  return ticks;
}

/**
 * One metric's period at a glance: a bar per day spanning min…max, and the daily average as a line.
 * Days without data leave a gap (the line breaks there) instead of interpolating across them.
 */
export function drawDailyChart(doc: PDFKit.PDFDocument, metric: MetricReport, period: string, box: ChartBox): void {
  const days = daysOf(period);
  const byDay = new Map(metric.daily.map((d) => [d.day, d]));
  const ticks = niceTicks(metric.total.min, metric.total.max);
  const lo = ticks[0] ?? 0;
  const hi = ticks[ticks.length - 1] ?? 1;

  const labelWidth = 48;
  const plot = { x: box.x + labelWidth, y: box.y + 16, width: box.width - labelWidth, height: box.height - 34 };
  const slot = plot.width / days.length;
  const yOf = (v: number) => plot.y + plot.height - ((v - lo) / (hi - lo || 1)) * plot.height;
  const xOf = (i: number) => plot.x + slot * i + slot / 2;

  doc.font('bold').fontSize(9).fillColor('#222222');
  doc.text(fitText(doc, `${metric.metric} — daily min–max and average`, box.width), box.x, box.y, {
    width: box.width,
    lineBreak: false,
  });

  doc.font('body').fontSize(7);
  for (const t of ticks) {
    const y = yOf(t);
    doc
      .moveTo(plot.x, y)
      .lineTo(plot.x + plot.width, y)
      .lineWidth(0.5)
      .strokeColor(GRID)
      .stroke();
    doc
      .fillColor(AXIS)
      .text(formatValue(t), box.x, y - 3.5, { width: labelWidth - 4, align: 'right', lineBreak: false });
  }

  const barWidth = Math.max(1, slot * 0.6);
  days.forEach((day, i) => {
    const d = byDay.get(day);
    if (!d) return;
    const top = yOf(d.max);
    doc
      .rect(xOf(i) - barWidth / 2, top, barWidth, Math.max(0.8, yOf(d.min) - top))
      .fillColor(RANGE)
      .fill();
  });

  let penDown = false;
  days.forEach((day, i) => {
    const d = byDay.get(day);
    if (!d) {
      penDown = false;
      return;
    }
    if (penDown) doc.lineTo(xOf(i), yOf(d.avg));
    else doc.moveTo(xOf(i), yOf(d.avg));
    penDown = true;
  });
  doc.lineWidth(1.2).strokeColor(AVG).stroke();
  for (const [i, day] of days.entries()) {
    const d = byDay.get(day);
    if (d) doc.circle(xOf(i), yOf(d.avg), 1.4).fillColor(AVG).fill();
  }

  doc
    .moveTo(plot.x, plot.y)
    .lineTo(plot.x, plot.y + plot.height)
    .lineTo(plot.x + plot.width, plot.y + plot.height);
  doc.lineWidth(0.8).strokeColor(AXIS).stroke();
  doc.fontSize(7).fillColor(AXIS);
  days.forEach((day, i) => {
    // A week labels every day; a month the 1st and every 5th: 31 labels in 450 pt would overlap.
    if (days.length > 7 && i !== 0 && (i + 1) % 5 !== 0) return;
    doc.text(day.slice(8), xOf(i) - 10, plot.y + plot.height + 3, { width: 20, align: 'center', lineBreak: false });
  });
}
