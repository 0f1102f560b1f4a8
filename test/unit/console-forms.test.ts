// Command forms build the API's body from their fields, and carry the API's field errors
// back to the control they name; wall times in the user's zone become UTC instants.
import { describe, expect, it } from 'vitest';
import { buildBody, controlName, missingRequired, parseAmount, type Reader } from '../../console/src/ui/form-spec.ts';
import { PENALTY_FORM, SUBMIT_FORM, VERIFY_FORM } from '../../console/src/ui/forms.ts';
import { dayFromInput, dayToInput, fromZonedInput, toZonedInput } from '../../console/src/i18n/zoned-time.ts';

const reader =
  (values: Record<string, string | string[] | boolean>): Reader =>
  (name) =>
    values[name] ?? '';
const HCM = { timeZone: 'Asia/Ho_Chi_Minh', rowCounts: new Map<string, number>() };

describe('console command forms', () => {
  it('build the submit body with empty optional fields left out and the capture time in UTC', () => {
    const { body } = buildBody(
      SUBMIT_FORM.fields,
      reader({
        'item.platform': 'facebook',
        'item.url': ' https://www.facebook.com/groups/1/posts/2 ',
        'item.content': 'Nội dung\n',
        'item.capturedAt': '2026-11-28T16:30',
        'report.source': 'citizen_tip',
        claim: 'A claim',
        category: 'health',
        'item.language': 'vi',
      }),
      HCM,
    );
    expect(body).toEqual({
      item: {
        platform: 'facebook',
        url: 'https://www.facebook.com/groups/1/posts/2',
        content: 'Nội dung\n',
        language: 'vi',
        capturedAt: '2026-11-28T09:30:00.000Z',
      },
      report: { source: 'citizen_tip' },
      claim: 'A claim',
      category: 'health',
    });
  });

  it('send a penalty with its grouped amount as an integer, checked remedies and an empty subject object', () => {
    const { body } = buildBody(
      PENALTY_FORM.fields,
      reader({
        decisionNo: 'QD-1',
        'fine.amount': '7.500.000',
        remedies: ['remove_content'],
        'legalBasis.0.instrument': 'NĐ 15',
        'legalBasis.0.article': '101',
      }),
      { ...HCM, rowCounts: new Map([['legalBasis', 2]]) },
    );
    expect(body).toEqual({
      decisionNo: 'QD-1',
      legalBasis: [{ instrument: 'NĐ 15', article: '101' }],
      subject: {},
      fine: { amount: 7_500_000, currency: 'VND' },
      remedies: ['remove_content'],
    });
  });

  it('send an amount that is not a whole number as typed, for the API to refuse', () => {
    const { body } = buildBody(PENALTY_FORM.fields, reader({ 'fine.amount': '1,5' }), HCM);
    expect(body.fine).toEqual({ amount: '1,5', currency: 'VND' });
  });

  it('leave blank evidence rows out and map the API error paths back to the form rows', () => {
    const { body, rowsSent } = buildBody(
      VERIFY_FORM.fields,
      reader({ verdict: 'false', rationale: 'r', 'evidence.1.kind': 'url', 'evidence.1.description': 'advisory' }),
      { ...HCM, rowCounts: new Map([['evidence', 3]]) },
    );
    expect(body.evidence).toEqual([{ kind: 'url', description: 'advisory' }]);
    expect(controlName('evidence.0.url', rowsSent)).toBe('evidence.1.url');
    expect(controlName('evidence', rowsSent)).toBe('evidence');
    expect(controlName('rationale', rowsSent)).toBe('rationale');
  });
});

describe('console wall times', () => {
  it('convert between a zone wall time and UTC, across a daylight saving change', () => {
    expect(fromZonedInput('2026-11-28T16:30', 'Asia/Ho_Chi_Minh')).toBe('2026-11-28T09:30:00.000Z');
    expect(fromZonedInput('28/11/2026 16:30', 'Asia/Ho_Chi_Minh')).toBe('2026-11-28T09:30:00.000Z');
    expect(fromZonedInput('7/12/2026', 'Asia/Ho_Chi_Minh')).toBe('2026-12-06T17:00:00.000Z');
    expect(fromZonedInput('31/02/2026 10:00', 'UTC')).toBeNull();
    expect(fromZonedInput('12/07/2026 25:00', 'UTC')).toBeNull();
    expect(toZonedInput('2026-11-28T09:30:00.000Z', 'Asia/Ho_Chi_Minh')).toBe('28/11/2026 16:30');
    expect(fromZonedInput('2026-03-29T03:30', 'Europe/Paris')).toBe('2026-03-29T01:30:00.000Z');
    expect(fromZonedInput('2026-07-01T12:00', 'America/New_York')).toBe('2026-07-01T16:00:00.000Z');
    expect(fromZonedInput('yesterday', 'UTC')).toBeNull();
  });
});

describe('console amounts', () => {
  it('read a whole amount grouped by dots, commas or spaces, and nothing else', () => {
    for (const typed of ['7500000', '7.500.000', '7,500,000', '7 500 000', '7.500.000 ₫', '7,500,000đ'])
      expect(parseAmount(typed), typed).toBe(7_500_000);
    for (const typed of ['7.5', '7,500.000', '75.00.000', 'bảy triệu', '-7500', '7.500,00'])
      expect(parseAmount(typed), typed).toBeNull();
  });
});

describe('console required fields', () => {
  it('name the required fields left blank, in groups too, before anything is sent', () => {
    expect(
      missingRequired(SUBMIT_FORM.fields, reader({ 'item.url': '  ', claim: 'x', 'item.capturedAt': 'now' })),
    ).toEqual(['item.platform', 'item.url', 'item.content', 'report.source', 'category']);
  });
});

describe('day fields of the console', () => {
  it('read a day typed dd/mm/yyyy as yyyy-mm-dd and refuse what is not a day', () => {
    expect(dayFromInput('07/12/2026')).toBe('2026-12-07');
    expect(dayFromInput(' 7.12.2026 ')).toBe('2026-12-07');
    expect(dayFromInput('31/11/2026')).toBeNull();
    expect(dayFromInput('2026-12-07')).toBeNull();
    expect(dayToInput('2026-12-07')).toBe('07/12/2026');
  });
});
