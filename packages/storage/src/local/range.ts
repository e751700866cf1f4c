import { StorageError } from '../errors';

/** An HTTP `Range: bytes=…` header (single range) as inclusive offsets into an object of `size` bytes. */
export function parseByteRange(range: string, size: number): { start: number; end: number } {
  const m = /^bytes=(\d*)-(\d*)$/.exec(range.trim());
  if (!m || (m[1] === '' && m[2] === '')) throw new StorageError('InvalidRange', 'unsupported Range header');
  let start: number;
  let end: number;
  if (m[1] === '') {
    // Suffix range: the last N bytes.
    start = Math.max(0, size - Number(m[2]));
    end = size - 1;
  } else {
    start = Number(m[1]);
    end = m[2] === '' ? size - 1 : Math.min(Number(m[2]), size - 1);
  }
  if (start > end || start >= size) throw new StorageError('InvalidRange', 'range not satisfiable');
  return { start, end };
}
