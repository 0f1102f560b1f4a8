// The console's language layer: both catalogs complete, problems and field errors shown in
// the user's language, dates in the user's zone and amounts in VND with the locale's grouping.
import { describe, expect, it } from 'vitest';
import { ApiProblem } from '../../console/src/core/api-client.ts';
import { en } from '../../console/src/i18n/en.ts';
import { citation } from '../../console/src/i18n/citation.ts';
import { createFormatter } from '../../console/src/i18n/format.ts';
import { eventSummary } from '../../console/src/i18n/event-summary.ts';
import { preferredLocale } from '../../console/src/i18n/locale.ts';
import { describeProblem, fieldMessage } from '../../console/src/i18n/problems.ts';
import { vi } from '../../console/src/i18n/vi.ts';
import { labelKeys } from '../../console/src/ui/form-spec.ts';
import { SEPARATION_OF_DUTIES } from '../../src/domain/guards.ts';
import { ALL_FORMS } from '../../console/src/ui/forms.ts';

/** Every leaf of a catalog: its path (keys joined by " / ", since keys hold dots) and text. */
function leaves(value: unknown, prefix = ''): [string, unknown][] {
  if (typeof value !== 'object' || value === null) return [[prefix, value]];
  return Object.entries(value).flatMap(([key, inner]) => leaves(inner, prefix === '' ? key : `${prefix} / ${key}`));
}

const viHcm = createFormatter('vi', 'Asia/Ho_Chi_Minh', 'Asia/Ho_Chi_Minh');
const enHcm = createFormatter('en', 'Asia/Ho_Chi_Minh', 'Asia/Bangkok');

describe('console catalogs', () => {
  it('have the same keys in Vietnamese and English, none of them empty', () => {
    const paths = (catalog: object) =>
      leaves(catalog)
        .map(([path]) => path)
        .sort();
    expect(paths(vi)).toEqual(paths(en));
    const blank = (catalog: object) =>
      leaves(catalog).filter(([, text]) => typeof text !== 'string' || text.trim() === '');
    expect([blank(en), blank(vi)]).toEqual([[], []]);
  });

  it('label every field of every command form in both languages', () => {
    const keys = [...new Set(ALL_FORMS.flatMap((form) => labelKeys(form.fields)))];
    expect(keys.filter((key) => en.field[key] === undefined || vi.field[key] === undefined)).toEqual([]);
  });
});

describe('console language choice', () => {
  it('is Vietnamese when the browser prefers it, English when it prefers English or neither', () => {
    expect(preferredLocale(['vi-VN', 'en-US'])).toBe('vi');
    expect(preferredLocale(['fr-FR', 'vi'])).toBe('vi');
    expect(preferredLocale(['en-GB', 'vi-VN'])).toBe('en');
    expect(preferredLocale(['fr-FR'])).toBe('en');
  });
});

describe('console problems', () => {
  it('translate a guard failure sentence by sentence, with its parameters localized', () => {
    const problem = new ApiProblem(422, 'guard_failed', 'a verdict of misleading needs at least one evidence item');
    expect(describeProblem(problem, vi, viHcm)).toEqual({
      title: 'Không đáp ứng quy định',
      detail: 'Kết luận “Gây hiểu lầm” cần ít nhất một chứng cứ.',
      requestId: null,
    });
    const claimed = new ApiProblem(
      409,
      'claimed_by_other',
      'the case is claimed by another verifier until 2026-11-28T09:30:00.000Z',
    );
    expect(describeProblem(claimed, en, enHcm).detail).toBe('Another verifier holds this case until 28/11/2026 16:30.');
  });

  it('fall back to the code explanation for an unknown sentence, never to English in Vietnamese', () => {
    const problem = new ApiProblem(
      500,
      'internal',
      'an unexpected error occurred; quote the requestId when reporting it',
      [],
      'req-42',
    );
    expect(describeProblem(problem, vi, viHcm)).toEqual({
      title: 'Đã xảy ra lỗi',
      detail: 'Vui lòng thử lại sau ít phút.',
      requestId: 'req-42',
    });
  });

  it('translate the field messages of the API schemas', () => {
    expect(fieldMessage('must be an absolute http(s) URL', vi, viHcm)).toBe(
      'Địa chỉ web đầy đủ, bắt đầu bằng http:// hoặc https://.',
    );
    expect(fieldMessage('Invalid input: expected string, received undefined', vi, viHcm)).toBe('Bắt buộc.');
    expect(fieldMessage('Too big: expected string to have <=2000 characters', vi, viHcm)).toBe('Tối đa 2.000 ký tự.');
    expect(fieldMessage('Too big: expected number to be <=1000000000000', en, enHcm)).toBe(
      'At most 1,000,000,000,000.',
    );
    expect(fieldMessage('Invalid input: expected int, received number', en, enHcm)).toBe(
      'A whole number, without decimals.',
    );
    expect(fieldMessage('something new', vi, viHcm)).toBe('Giá trị không hợp lệ.');
  });
});

describe('console formats', () => {
  it('show times in the chosen zone and amounts in VND with the locale grouping', () => {
    // Day first in both languages; the zone is named only when the device runs in another one.
    expect(viHcm.dateTime('2026-11-28T09:30:00.000Z')).toBe('28/11/2026 16:30');
    expect(enHcm.dateTime('2026-11-28T09:30:00.000Z')).toBe('28/11/2026 16:30');
    expect(viHcm.dateTimeSeconds('2026-11-28T09:30:07.000Z')).toBe('28/11/2026 16:30:07');
    expect(createFormatter('en', 'Asia/Ho_Chi_Minh', 'UTC').dateTime('2026-11-28T09:30:00.000Z')).toBe(
      '28/11/2026 16:30 GMT+7',
    );
    expect(createFormatter('en', 'UTC', 'Asia/Ho_Chi_Minh').dateTime('2026-11-28T09:30:00.000Z')).toBe(
      '28/11/2026 09:30 GMT+0',
    );
    expect(viHcm.date('2026-12-06T17:00:00.000Z')).toBe('07/12/2026');
    expect(viHcm.amount(7_500_000)).toBe('7.500.000');
    expect(enHcm.amount(7_500_000)).toBe('7,500,000');
    expect(viHcm.money(7_500_000)).toBe('7.500.000\u00a0₫');
    expect(enHcm.money('7500000')).toBe('₫7,500,000');
  });

  it('show durations in their two largest units and ages relative to now', () => {
    expect(enHcm.duration(93_784)).toBe('1 day 2 hrs');
    expect(enHcm.duration(0)).toBe('0 secs');
    expect(viHcm.relative('2026-11-28T06:30:00.000Z', Date.parse('2026-11-28T09:30:00.000Z'))).toBe('3 giờ trước');
  });
});

describe('console problems of the case rules', () => {
  it.each([
    [
      'the penalty is not complied with: the content is not removed; the fine is not paid',
      'Quyết định xử phạt chưa được chấp hành đầy đủ',
    ],
    ['the penalty cannot be issued before the case was referred (2026-12-06T10:00:00.000Z)', 'Không thể ban hành'],
    ['the appeal cannot be filed before the penalty was issued (2026-12-06T10:00:00.000Z)', 'Không thể nộp khiếu nại'],
    ['impossible dates: item.capturedAt must not be before 2000-01-01', 'Có ngày không hợp lý'],
  ])('shows %j in Vietnamese', (detail, vietnamese) => {
    const shown = describeProblem(new ApiProblem(422, 'guard_failed', detail), vi, viHcm);
    expect(shown.detail).toContain(vietnamese);
  });

  it('shows a name taken and the field errors of dates, compliance and hidden characters in both languages', () => {
    const taken = new ApiProblem(409, 'name_taken', 'a user named CLERKA, or a name that reads the same, exists');
    expect(describeProblem(taken, vi, viHcm).title).toBe('Tên đã được sử dụng');
    expect(describeProblem(taken, en, enHcm).detail).toBe('Another user has this name, or one that reads the same.');
    const messages = [
      'must not be before 2000-01-01',
      'must not be in the future (more than 5 minutes ahead of the server clock)',
      'must not be before the referral',
      'must not be before the penalty was issued',
      'the ordered removal of the content is not complied with',
      'the fine is not paid',
      'must not contain invisible characters (bidirectional controls, zero-width characters)',
      'must contain a visible character',
    ];
    for (const message of messages) {
      expect(fieldMessage(message, vi, viHcm), message).not.toBe(vi.fieldError.invalid);
      expect(fieldMessage(message, en, enHcm), message).not.toBe(en.fieldError.invalid);
    }
  });
});

describe('console timeline of links to cases the reader cannot see', () => {
  const event = (type: string, payload: Record<string, unknown>) =>
    ({ type, payload }) as unknown as Parameters<typeof eventSummary>[0];
  it('says an earlier case exists without naming it when the API withheld its id or reference', () => {
    for (const [catalog, f] of [
      [en, enHcm],
      [vi, viHcm],
    ] as const) {
      const s = catalog.eventSummary;
      expect(eventSummary(event('case.duplicate_detected', { duplicateOf: null }), catalog, f)).toBe(s.duplicateHidden);
      expect(
        eventSummary(event('case.report_merged', { duplicateCaseId: null, duplicateReference: null }), catalog, f),
      ).toBe(s.mergedHidden);
      expect(eventSummary(event('case.related_linked', { relatedCaseId: null, fingerprint: 'x' }), catalog, f)).toBe(
        s.relatedHidden,
      );
      expect(eventSummary(event('case.duplicate_detected', { duplicateOf: '0123456789abcdef' }), catalog, f)).toContain(
        '01234567',
      );
    }
  });
});

describe('console separation-of-duties problems', () => {
  it('show each rule of SPEC §12 with its own message in Vietnamese and in English', () => {
    for (const [catalog, f] of [
      [vi, viHcm],
      [en, enHcm],
    ] as const) {
      const shown = SEPARATION_OF_DUTIES.map(
        (rule) => describeProblem(new ApiProblem(422, 'guard_failed', rule.detail), catalog, f).detail,
      );
      expect(shown.filter((text) => text === catalog.problemHelp.guard_failed)).toEqual([]);
      expect(new Set(shown).size).toBe(SEPARATION_OF_DUTIES.length);
    }
  });
});

describe('console legal citations', () => {
  it('cite the smallest unit first in Vietnamese', () => {
    const basis = { instrument: 'Nghị định 15/2020/NĐ-CP', article: '101', clause: '1' };
    expect(citation(basis, vi)).toBe('khoản 1 Điều 101 Nghị định 15/2020/NĐ-CP');
    expect(citation({ ...basis, clause: '1.a' }, vi)).toBe('điểm a khoản 1 Điều 101 Nghị định 15/2020/NĐ-CP');
    expect(citation({ ...basis, clause: undefined }, vi)).toBe('Điều 101 Nghị định 15/2020/NĐ-CP');
    expect(citation(basis, en)).toBe('Clause 1, Article 101, Nghị định 15/2020/NĐ-CP');
  });
});
