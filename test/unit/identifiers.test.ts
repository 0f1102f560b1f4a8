import { describe, expect, it } from 'vitest';
import { decisionNoKey } from '../../src/domain/index.ts';

describe('decisionNoKey', () => {
  it.each([
    ['case', 'QD-X-1', 'qd-x-1'],
    ['Vietnamese capitals', '15/QĐ-XPHC', '15/qđ-xphc'],
    ['full-width forms', 'ＱＤ－Ｘ－１', 'QD-X-1'],
    ['runs of whitespace and surrounding spaces', ' 15/QĐ  XPHC\t2026 ', '15/qđ xphc 2026'],
  ])('gives one key to numbers that differ only in %s', (_what, a, b) => {
    expect(decisionNoKey(a)).toBe(decisionNoKey(b));
  });

  it('keeps different numbers apart', () => {
    expect(decisionNoKey('QD-X-1')).not.toBe(decisionNoKey('QD-X-2'));
    expect(decisionNoKey('QD-X-1')).not.toBe(decisionNoKey('QDX1'));
  });
});
