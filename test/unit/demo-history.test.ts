import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { demoHistory } from '../../src/cli/demo/demo-history.ts';
import { parseImportRow } from '../../src/domain/index.ts';

const NOW = new Date('2026-12-06T00:00:00Z');

describe("the demo's half year of history", () => {
  const history = demoHistory({ rows: 400, runTag: 'ABC123', now: NOW });
  const [header, ...rows] = parse(history.csv, { bom: true }) as string[][];
  const records = rows.map((r) => Object.fromEntries((header as string[]).map((h, i) => [h, r[i] ?? ''])));

  it('is a valid import file: every row parses, in Vietnamese, with distinct items and decision numbers', () => {
    expect(records).toHaveLength(400);
    for (const [i, record] of records.entries()) {
      const parsed = parseImportRow(record, { timeZone: 'Asia/Ho_Chi_Minh', now: NOW });
      expect(parsed.ok, `row ${i + 2}: ${JSON.stringify(!parsed.ok && parsed.problems)}`).toBe(true);
    }
    expect(new Set(records.map((r) => r.url)).size).toBe(400);
    expect(new Set(records.map((r) => r.content)).size).toBeGreaterThan(200);
    const decisions = records.map((r) => r.decision_no).filter(Boolean);
    expect(new Set(decisions).size).toBe(decisions.length);
    expect(
      records.every(
        (r) => r.language === 'vi' && /[ăâđêôơưạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹ]/iu.test(r.claim ?? ''),
      ),
    ).toBe(true);
  });

  it('looks like a unit: one province, topics that come and go, repeat offenders, steps of hours to days, some late', () => {
    const authorities = new Set(records.map((r) => r.authority_code).filter(Boolean));
    expect([...authorities].every((a) => a === 'STTTT-LD' || a?.startsWith('UBND-'))).toBe(true);
    const penalised = new Map<string, number>();
    for (const r of records)
      if (r.decision_no)
        penalised.set(r.account_handle as string, (penalised.get(r.account_handle as string) ?? 0) + 1);
    expect([...penalised.values()].filter((n) => n > 1).length).toBeGreaterThan(3);
    const month = (r: Record<string, string>) => (r.received_at as string).slice(3, 10);
    const dengue = records.filter((r) => r.claim?.includes('xuất huyết'));
    const petrol = records.filter((r) => r.claim?.includes('xăng'));
    expect(new Set(dengue.map(month)).size).toBeLessThan(5);
    expect(dengue.map(month)).not.toContain(petrol.map(month).at(-1));
    const dmyMs = (text: string) => {
      const [d, m, rest] = text.split('/');
      const [y, time] = (rest as string).split(' ');
      return Date.parse(`${y}-${m}-${d}T${time}:00+07:00`);
    };
    const hours = records
      .filter((r) => r.verified_at)
      .map((r) => (dmyMs(r.verified_at as string) - dmyMs(r.received_at as string)) / 3_600_000);
    expect(Math.min(...hours)).toBeGreaterThanOrEqual(2);
    expect(hours.filter((h) => h > 24).length).toBeGreaterThan(10);
    expect(history.stages.closed).toBeGreaterThan(300);
    expect(
      history.stages.received + history.stages.verified + history.stages.referred + history.stages.penalty_issued,
    ).toBeGreaterThan(10);
    expect(history.outcomes).toMatchObject({
      penalty_overturned: expect.any(Number),
      no_violation: expect.any(Number),
      withdrawn: expect.any(Number),
    });
  });
});
