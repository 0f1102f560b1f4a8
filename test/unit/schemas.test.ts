import { describe, expect, it } from 'vitest';
import {
  COMMAND_TYPES,
  COMMANDS,
  parseRequest,
  recordPenaltySchema,
  submitSchema,
  verifySchema,
} from '../../src/domain/index.ts';
import { BODIES, EVIDENCE, penaltyBody, submitBody, verifyBody } from './domain-world.ts';

const submitWith = (item: Record<string, unknown>) => ({ ...submitBody(), item: { ...submitBody().item, ...item } });
const fineOf = (amount: unknown) => ({ ...penaltyBody(), fine: { amount, currency: 'VND' } });
const issuesOf = (result: { success: boolean; error?: { issues: { path: PropertyKey[] }[] } }) =>
  result.error?.issues.map((i) => i.path.join('.'));

describe('command bodies', () => {
  it.each(COMMAND_TYPES)('accepts the valid %s body', (type) => {
    expect(COMMANDS[type].request.safeParse(BODIES[type]).success).toBe(true);
  });

  it.each(COMMAND_TYPES)('rejects an unknown top-level field in a %s body', (type) => {
    const result = COMMANDS[type].request.safeParse({ ...(BODIES[type] as object), extra: 1 });
    expect(result.success).toBe(false);
  });

  it('rejects unknown fields inside nested objects', () => {
    expect(issuesOf(submitSchema.safeParse(submitWith({ views: 10 })))).toEqual(['item']);
    expect(submitSchema.safeParse({ ...submitBody(), report: { source: 'agency', agent: 'x' } }).success).toBe(false);
    expect(verifySchema.safeParse(verifyBody('false', [{ ...EVIDENCE, score: 1 }])).success).toBe(false);
  });

  it('takes expectedVersion beside every payload but the submission', () => {
    expect(parseRequest('claim', { expectedVersion: 3 })).toEqual({ ok: true, payload: {}, expectedVersion: 3 });
    expect(parseRequest('add-note', { text: 'x' })).toEqual({ ok: true, payload: { text: 'x' } });
    expect(parseRequest('add-evidence', { ...EVIDENCE, expectedVersion: 0 })).toEqual({
      ok: true,
      payload: EVIDENCE,
      expectedVersion: 0,
    });
    expect(parseRequest('submit', { ...submitBody(), expectedVersion: 1 }).ok).toBe(false);
    expect(parseRequest('claim', { expectedVersion: -1 }).ok).toBe(false);
    expect(parseRequest('claim', { expectedVersion: 1.5 }).ok).toBe(false);
  });
});

describe('text fields', () => {
  it.each([
    ['a NUL character', 'Tin\u0000 giả'],
    ['a lone high surrogate', 'Tin \ud83d giả'],
    ['a lone low surrogate', '\ude00 Tin giả'],
  ])('rejects %s', (_name, value) => {
    expect(submitSchema.safeParse({ ...submitBody(), claim: value }).success).toBe(false);
    expect(submitSchema.safeParse(submitWith({ content: value })).success).toBe(false);
    expect(COMMANDS['add-note'].payload.safeParse({ text: value }).success).toBe(false);
  });

  it('accepts a well-formed surrogate pair', () => {
    expect(COMMANDS['add-note'].payload.safeParse({ text: 'Cảnh báo 🚨' }).success).toBe(true);
  });

  it('bounds content to 1..20000 and claim to 1..2000 characters', () => {
    expect(submitSchema.safeParse(submitWith({ content: 'x'.repeat(20_000) })).success).toBe(true);
    expect(submitSchema.safeParse(submitWith({ content: 'x'.repeat(20_001) })).success).toBe(false);
    expect(submitSchema.safeParse(submitWith({ content: '' })).success).toBe(false);
    expect(submitSchema.safeParse({ ...submitBody(), claim: 'x'.repeat(2_000) }).success).toBe(true);
    expect(submitSchema.safeParse({ ...submitBody(), claim: 'x'.repeat(2_001) }).success).toBe(false);
    expect(submitSchema.safeParse({ ...submitBody(), claim: '   ' }).success).toBe(false);
  });

  it('lets a blank withdraw reason through for the domain guard to refuse', () => {
    expect(COMMANDS.withdraw.payload.safeParse({ reason: ' ' }).success).toBe(true);
    expect(COMMANDS.withdraw.payload.safeParse({}).success).toBe(false);
  });
});

describe('URLs', () => {
  it.each([
    'javascript:alert(1)',
    'data:text/html,<script>alert(1)</script>',
    'ftp://example.vn/a',
    'file:///etc/passwd',
    '//example.vn/a',
    'example.vn/a',
    'https://',
  ])('rejects %s', (url) => {
    expect(submitSchema.safeParse(submitWith({ url })).success).toBe(false);
    expect(COMMANDS['add-evidence'].payload.safeParse({ ...EVIDENCE, url }).success).toBe(false);
  });

  it('accepts http and https up to 2048 characters', () => {
    const long = `https://example.vn/${'a'.repeat(2048 - 'https://example.vn/'.length)}`;
    expect(submitSchema.safeParse(submitWith({ url: long })).success).toBe(true);
    expect(submitSchema.safeParse(submitWith({ url: `${long}a` })).success).toBe(false);
    expect(submitSchema.safeParse(submitWith({ url: 'http://example.vn' })).success).toBe(true);
  });

  it('needs a url on evidence of kind url', () => {
    const { url: _url, ...withoutUrl } = EVIDENCE;
    expect(COMMANDS['add-evidence'].payload.safeParse(withoutUrl).success).toBe(false);
    expect(COMMANDS['add-evidence'].request.safeParse(withoutUrl).success).toBe(false);
    expect(COMMANDS['add-evidence'].payload.safeParse({ ...withoutUrl, kind: 'note' }).success).toBe(true);
  });
});

describe('fine amounts', () => {
  it.each([
    ['a fraction', 1.5],
    ['a negative amount', -1],
    ['more than 10^12', 1_000_000_000_001],
    ['a string', '7500000'],
  ])('rejects %s', (_name, amount) => {
    expect(recordPenaltySchema.safeParse(fineOf(amount)).success).toBe(false);
  });

  it('accepts 0 and 10^12 in VND only', () => {
    expect(recordPenaltySchema.safeParse(fineOf(0)).success).toBe(true);
    expect(recordPenaltySchema.safeParse(fineOf(1_000_000_000_000)).success).toBe(true);
    expect(recordPenaltySchema.safeParse({ ...penaltyBody(), fine: { amount: 1, currency: 'USD' } }).success).toBe(
      false,
    );
  });

  it('rejects repeated remedies and lets an empty legal basis through for the domain guard', () => {
    expect(recordPenaltySchema.safeParse({ ...penaltyBody(), remedies: ['other', 'other'] }).success).toBe(false);
    expect(recordPenaltySchema.safeParse(penaltyBody({ legalBasis: [] })).success).toBe(true);
  });
});

describe('sha256 and timestamps', () => {
  const upper = 'E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855';

  it('accepts 64 hex characters in either case and stores them lower-cased', () => {
    const parsed = COMMANDS['add-evidence'].payload.parse({ kind: 'document', sha256: upper, description: 'Scan' });
    expect(parsed).toEqual({ kind: 'document', sha256: upper.toLowerCase(), description: 'Scan' });
  });

  it.each([upper.slice(1), `${upper}0`, `${upper.slice(1)}g`])('rejects the digest %s', (sha256) => {
    expect(COMMANDS['add-evidence'].payload.safeParse({ kind: 'document', sha256, description: 'Scan' }).success).toBe(
      false,
    );
  });

  it('normalizes an RFC 3339 timestamp with an offset to UTC', () => {
    const parsed = COMMANDS['file-appeal'].payload.parse({ filedAt: '2026-12-15T08:00:00.5+07:00', grounds: 'g' });
    expect(parsed.filedAt).toBe('2026-12-15T01:00:00.500Z');
  });

  it.each(['2026-12-15T08:00:00', '2026-12-15', '15/12/2026', '2026-02-30T00:00:00Z'])(
    'rejects the timestamp %s',
    (filedAt) => {
      expect(COMMANDS['file-appeal'].payload.safeParse({ filedAt, grounds: 'g' }).success).toBe(false);
    },
  );
});
