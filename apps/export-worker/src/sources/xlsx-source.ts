import { PassThrough, type Writable } from 'node:stream';
import ExcelJS from 'exceljs';
import type { PoolClient } from 'pg';
import type { ClaimedExport } from '@pulse/exports';
import { telemetrySelect } from '../telemetry-query';
import type { RowSource, SourceOptions } from './row-source';

interface TelemetryRow {
  ts: Date;
  device_id: string;
  metric: string;
  value: number;
}

export interface XlsxOptions extends SourceOptions {
  /** Rows per FETCH: one batch is the most the writer holds before waiting for the upload. */
  fetchRows: number;
}

// Excel's hard limit is 1,048,576 rows per sheet; one is the header.
const MAX_DATA_ROWS_PER_SHEET = 1_048_575;
const CURSOR = 'export_rows';

const COLUMNS: Partial<ExcelJS.Column>[] = [
  { header: 'ts', key: 'ts', width: 24, style: { numFmt: 'yyyy-mm-dd hh:mm:ss.000' } },
  { header: 'device_id', key: 'device_id', width: 20 },
  { header: 'metric', key: 'metric', width: 20 },
  { header: 'value', key: 'value', width: 14 },
];

/** Resolves once `out` can take more, so the writer never runs ahead of the upload by more than a batch. */
function drained(out: Writable): Promise<void> {
  if (!out.writableNeedDrain || out.destroyed) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      out.off('drain', done);
      out.off('close', done);
      resolve();
    };
    out.on('drain', done);
    out.on('close', done);
  });
}

/**
 * XLSX through a server-side cursor and exceljs' streaming writer: rows are fetched in batches, written
 * as typed cells (a real date, a real number) and committed at once, so memory holds one batch plus the
 * zip compressor's window. Sheets roll over at Excel's row limit.
 */
export function xlsxSource(client: PoolClient, job: ClaimedExport, options: XlsxOptions): RowSource {
  const out = new PassThrough();
  const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: out, useStyles: true, useSharedStrings: false });
  let rows = 0;

  const addSheet = (n: number) => {
    const sheet = workbook.addWorksheet(n === 1 ? 'telemetry' : `telemetry ${n}`, {
      views: [{ state: 'frozen', ySplit: 1 }],
    });
    sheet.columns = COLUMNS;
    sheet.getRow(1).font = { bold: true };
    sheet.getRow(1).commit();
    return sheet;
  };

  async function produce(): Promise<void> {
    await client.query('BEGIN READ ONLY');
    await client.query(
      `DECLARE ${CURSOR} NO SCROLL CURSOR FOR ${telemetrySelect(job, (v) => client.escapeLiteral(v))}`,
    );
    let sheetNo = 1;
    let sheet = addSheet(sheetNo);
    let inSheet = 0;
    for (;;) {
      if (out.destroyed) return;
      const batch = await client.query<TelemetryRow>(`FETCH ${options.fetchRows} FROM ${CURSOR}`);
      for (const r of batch.rows) {
        if (inSheet === MAX_DATA_ROWS_PER_SHEET) {
          sheet.commit();
          sheet = addSheet(++sheetNo);
          inSheet = 0;
        }
        sheet.addRow([r.ts, r.device_id, r.metric, r.value]).commit();
        inSheet++;
      }
      rows += batch.rows.length;
      options.onRows(rows);
      if (batch.rows.length < options.fetchRows) break;
      await drained(out);
    }
    sheet.commit();
    await client.query('COMMIT');
    await workbook.commit();
  }

  const producing = produce().catch((err: unknown) => {
    out.destroy(err instanceof Error ? err : new Error(String(err)));
    throw err;
  });
  // Observed through `out` (and close()); this only keeps the rejection from being reported as unhandled.
  producing.catch(() => {});

  return {
    body: out,
    rows: () => rows,
    async close(failed) {
      if (failed) {
        // Not waiting for the producer: it may be parked on a FETCH or on a stalled zip. Discarding the
        // connection fails whatever it does next, and that failure lands on the already destroyed body.
        out.destroy();
        client.release(true);
        return;
      }
      const ok = await producing.then(
        () => true,
        () => false,
      );
      client.release(!ok);
    },
  };
}
