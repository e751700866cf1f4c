import { describe, expect, it } from '@jest/globals';
import {
  artifactObjectKey,
  exportObjectKey,
  measurementObjectKeys,
  PULSE_PREFIXES,
  reportObjectKey,
  retentionRule,
} from '../src';

describe('object keys', () => {
  it('builds the contract keys, each under its prefix', () => {
    expect(exportObjectKey('e1', 'csv')).toBe('exports/e1.csv');
    expect(reportObjectKey('2026-10', 'f1', 'pdf')).toBe('reports/2026-10/f1/report_2026-10.pdf');
    expect(measurementObjectKeys('t1', 'r1')).toEqual({
      npy: 'sessions/t1/websdr_r1.npy',
      metadata: 'sessions/t1/websdr_r1_metadata.json',
    });
    expect(artifactObjectKey('a1', 'f1', '.pdf')).toBe('artifacts/a1/f1.pdf');
  });

  it('expires exactly the prefixes the builders write under', () => {
    expect(exportObjectKey('e', 'csv').startsWith(retentionRule('exports', 7).prefix!)).toBe(true);
    expect(reportObjectKey('2026-10', 'f', 'xlsx').startsWith(retentionRule('reports', 180).prefix!)).toBe(true);
    // Weekly reports sit beside the monthly ones, under the same 180-day rule.
    expect(reportObjectKey('2026-W44', 'f', 'pdf')).toBe('reports/2026-W44/f/report_2026-W44.pdf');
    expect(reportObjectKey('2026-W44', 'f', 'pdf').startsWith(retentionRule('reports', 180).prefix!)).toBe(true);
    expect(measurementObjectKeys('t', 'r').npy.startsWith(retentionRule('rawIq', 30).prefix!)).toBe(true);
    expect(Object.values(PULSE_PREFIXES).every((p) => p.endsWith('/'))).toBe(true);
  });
});
