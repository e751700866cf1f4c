import { describe, expect, it } from '@jest/globals';
import { parseByteRange } from '../src/local/range';

const refusal = (range: string, size: number) => {
  try {
    parseByteRange(range, size);
  } catch (err) {
    return `${(err as { code: string }).code}: ${(err as Error).message}`;
  }
  return 'accepted';
};

describe('parseByteRange (range-parser, one range of bytes)', () => {
  it('reads first-last, open-ended and suffix ranges, clamped to the object', () => {
    expect(parseByteRange('bytes=10-19', 100)).toEqual({ start: 10, end: 19 });
    expect(parseByteRange('bytes=90-', 100)).toEqual({ start: 90, end: 99 });
    expect(parseByteRange('bytes=-5', 100)).toEqual({ start: 95, end: 99 });
    expect(parseByteRange('bytes=50-1000', 100)).toEqual({ start: 50, end: 99 });
    expect(parseByteRange(' bytes=0-0 ', 100)).toEqual({ start: 0, end: 0 });
  });

  it('refuses what it cannot serve: past the end, malformed, other units, several ranges', () => {
    expect(refusal('bytes=100-', 100)).toBe('InvalidRange: range not satisfiable');
    expect(refusal('bytes=20-10', 100)).toBe('InvalidRange: range not satisfiable');
    expect(refusal('bytes=x-1', 100)).toBe('InvalidRange: unsupported Range header');
    expect(refusal('items=0-1', 100)).toBe('InvalidRange: unsupported Range header');
    expect(refusal('bytes=0-1,50-60', 100)).toBe('InvalidRange: unsupported Range header');
  });
});
