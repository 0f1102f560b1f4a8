import { describe, expect, it } from 'vitest';
import { csvCell, csvLine, importCaseId, importRowDigest, parseImportRow } from '../../src/domain/index.ts';
import { parseBusinessDate } from '../../src/domain/import-dates.ts';

const NOW = new Date('2026-12-01T00:00:00Z');
const ZONE = 'Asia/Ho_Chi_Minh';
const KEY = 'test hmac key';

const base = {
  received_at: '05/11/2026 08:00',
  platform: 'facebook',
  url: 'https://www.facebook.com/groups/1/posts/2',
  content: 'Nội dung',
  claim: 'Tuyên bố',
  category: 'health',
};

describe('dates as spreadsheets write them', () => {
  it('reads dd/mm/yyyy in the unit zone, ISO with and without an offset, and refuses days no calendar has', () => {
    expect(parseBusinessDate('05/11/2026', ZONE)).toBe('2026-11-04T17:00:00.000Z');
    expect(parseBusinessDate('5/1/2026 14:30', ZONE)).toBe('2026-01-05T07:30:00.000Z');
    expect(parseBusinessDate('2026-11-05T08:00', ZONE)).toBe('2026-11-05T01:00:00.000Z');
    expect(parseBusinessDate('2026-11-05T08:00:00Z', ZONE)).toBe('2026-11-05T08:00:00.000Z');
    expect(parseBusinessDate('2026-11-05T08:00:00+02:00', ZONE)).toBe('2026-11-05T06:00:00.000Z');
    expect(parseBusinessDate('2026-03-29 02:30', 'Europe/Paris')).toBe('2026-03-29T01:30:00.000Z');
    for (const bad of ['31/02/2026', '11/05/26', '2026-13-01', 'hôm qua', '05/11/2026 25:00']) {
      expect(parseBusinessDate(bad, ZONE), bad).toBeNull();
    }
  });
});

describe('an import row', () => {
  it('becomes a case open in its last stage, or names each bad cell', () => {
    const open = parseImportRow({ ...base, verified_at: '06/11/2026', verdict: 'false' }, { timeZone: ZONE, now: NOW });
    expect(open.ok && open.value.verify?.at).toBe('2026-11-05T17:00:00.000Z');
    expect(open.ok && open.value.close).toBeUndefined();

    const bad = parseImportRow(
      {
        ...base,
        platform: 'myspace',
        verified_at: '04/11/2026',
        verdict: 'false',
        closed_at: '06/11/2026',
        outcome: 'dismissed',
      },
      { timeZone: ZONE, now: NOW },
    );
    expect(bad.ok).toBe(false);
    expect(!bad.ok && bad.problems.map((p) => p.column)).toEqual(['platform']);

    const order = parseImportRow(
      { ...base, verified_at: '04/11/2026', verdict: 'accurate', closed_at: '06/11/2026', outcome: 'penalty_enforced' },
      { timeZone: ZONE, now: NOW },
    );
    expect(!order.ok && order.problems).toEqual([
      { column: 'verified_at', reason: 'must not be before received_at' },
      {
        column: 'outcome',
        reason:
          'penalty_enforced needs a penalty (decision_no) with no appeal pending or overturned (these steps give dismissed)',
      },
    ]);
    const future = parseImportRow({ ...base, received_at: '05/12/2026' }, { timeZone: ZONE, now: NOW });
    expect(!future.ok && future.problems).toEqual([{ column: 'received_at', reason: 'must not be in the future' }]);
  });

  it('is named by the digest of its values, so the same values are the same case', () => {
    const digest = importRowDigest(KEY, { ...base, note: ' ' });
    expect(digest).toBe(importRowDigest(KEY, { ...base, content: ' Nội dung ' }));
    expect(importCaseId(digest)).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/u);
    expect(importRowDigest(KEY, { ...base, claim: 'khác' })).not.toBe(digest);
    // Keyed: without the key, a guess at the row's values confirms nothing.
    expect(importRowDigest('another key', { ...base, note: ' ' })).not.toBe(digest);
  });
});

describe('CSV cells casetrail writes', () => {
  it('quotes what needs quoting and never writes a formula', () => {
    expect(csvCell('plain')).toBe('plain');
    expect(csvCell('a,"b"')).toBe('"a,""b"""');
    expect(csvCell('=HYPERLINK("http://x","y")')).toBe(`"'=HYPERLINK(""http://x"",""y"")"`);
    expect(csvCell('=cmd|" /C calc"!A0')).toBe(`"'=cmd|"" /C calc""!A0"`);
    for (const start of ['+', '-', '@', '\t', '\r']) expect(csvCell(`${start}1`).startsWith(`"'${start}`)).toBe(true);
    expect(csvCell(-5)).toBe('-5');
    expect(csvLine(['a', 1, null])).toBe('a,1,\r\n');
  });
});
