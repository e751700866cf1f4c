import type { Readable } from 'node:stream';

/** The bytes of one export file, produced while they are read (never the whole file in memory). */
export interface RowSource {
  body: Readable;
  /** Data rows produced so far; final once `body` has ended. */
  rows(): number;
  /** Gives the database connection back; after a failure it is discarded, since it may be mid-COPY. */
  close(failed: boolean): Promise<void>;
}

export interface SourceOptions {
  /** Called as rows are produced, with the running total (the caller throttles). */
  onRows(rows: number): void;
}
