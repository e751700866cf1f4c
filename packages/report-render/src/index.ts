// Turns a report's data into the files and images people get: the PDF (pdfkit), the workbook (exceljs),
// the email's chart (pngjs). Pure: data in, bytes out; report-worker sends them, ui-api previews them.
export {
  type ChartDay,
  EMAIL_CHART_SIZE,
  type EmailChartSeries,
  emailChartSeries,
  renderEmailChart,
} from './email-chart';
export { formatBytes, formatCount, formatValue } from './format';
export { type Headline, headlineFigures } from './headline';
export { renderPdf } from './pdf';
export { renderXlsx, sheetName } from './xlsx';
