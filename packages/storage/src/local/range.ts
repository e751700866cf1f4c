import parseRange from 'range-parser';
import { StorageError } from '../errors';

/** An HTTP `Range: bytes=…` header (single range) as inclusive offsets into an object of `size` bytes. */
export function parseByteRange(range: string, size: number): { start: number; end: number } {
  const ranges = parseRange(size, range.trim(), { combine: true });
  if (ranges === -1) throw new StorageError('InvalidRange', 'range not satisfiable');
  // Malformed, another unit, or several ranges (a multipart/byteranges reply is not worth having here).
  if (ranges === -2 || ranges.type !== 'bytes' || ranges.length !== 1) {
    throw new StorageError('InvalidRange', 'unsupported Range header');
  }
  const { start, end } = ranges[0]!;
  return { start, end };
}
