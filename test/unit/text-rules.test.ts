import { describe, expect, it } from 'vitest';
import { newUserSchema } from '../../src/app/users.ts';
import { COMMANDS, hasVisibleCharacter, userNameKey } from '../../src/domain/index.ts';
import { BODIES, SUPERVISOR, createWorld, penaltyBody, submitBody } from './domain-world.ts';

const INVISIBLE = ['\u200b', '\u200b\u200c\u200d\u2060\ufeff', ' \u200b\t\u00ad ', '\u202e\u2066', '\u3164', '\u2800'];
const BIDI = [
  '\u202a',
  '\u202b',
  '\u202c',
  '\u202d',
  '\u202e',
  '\u2066',
  '\u2067',
  '\u2068',
  '\u2069',
  '\u200e',
  '\u200f',
  '\u061c',
];

const parses = (type: keyof typeof COMMANDS, body: unknown) => COMMANDS[type].payload.safeParse(body).success;

describe('not blank means at least one visible character', () => {
  it.each(INVISIBLE)('finds nothing visible in %j', (text) => {
    expect(hasVisibleCharacter(text)).toBe(false);
  });

  it.each(['a', ' đ ', '\u200bx', '😀', '١'])('finds a visible character in %j', (text) => {
    expect(hasVisibleCharacter(text)).toBe(true);
  });

  it.each(INVISIBLE)('refuses a note, a claim, facts and grounds of %j', (blank) => {
    expect(parses('add-note', { text: blank })).toBe(false);
    expect(parses('submit', { ...submitBody(), claim: blank })).toBe(false);
    expect(parses('submit', { ...submitBody(), item: { ...submitBody().item, content: blank } })).toBe(false);
    expect(parses('record-penalty', { ...penaltyBody(), facts: blank })).toBe(false);
    expect(parses('file-appeal', { ...(BODIES['file-appeal'] as object), grounds: blank })).toBe(false);
  });

  it('refuses a withdrawal whose reason is only zero-width characters with guard_failed', () => {
    const world = createWorld();
    const id = world.submit();
    expect(world.run('withdraw', id, { reason: '\u200b\u200b\u2060' }, SUPERVISOR)).toEqual({
      ok: false,
      rejection: { code: 'guard_failed', detail: 'a withdrawal needs a reason' },
    });
  });
});

describe('identifiers refuse bidirectional controls and invisible characters', () => {
  const item = submitBody().item;
  const bidi = BIDI.map((c) => [(c.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0'), c] as const);
  it.each(bidi)('refuses U+%s in a handle, a URL, a decision number, an authority code and a user name', (_, c) => {
    expect(parses('submit', { ...submitBody(), item: { ...item, accountHandle: `sup${c}1` } })).toBe(false);
    expect(parses('submit', { ...submitBody(), item: { ...item, url: `https://example.vn/a${c}b` } })).toBe(false);
    expect(parses('record-penalty', penaltyBody({ decisionNo: `QD-${c}1` }))).toBe(false);
    expect(parses('refer', { authority: { code: `ST${c}TT`, name: 'Sở' } })).toBe(false);
    expect(newUserSchema.safeParse({ name: `clerk${c}A`, roles: ['clerk'] }).success).toBe(false);
  });

  it('refuses a zero-width space in a handle and a user name', () => {
    expect(parses('submit', { ...submitBody(), item: { ...item, accountHandle: 'sup\u200b1' } })).toBe(false);
    expect(newUserSchema.safeParse({ name: 'sup\u200b1', roles: ['clerk'] }).success).toBe(false);
  });

  it('keeps bidirectional text in free text: content and names as posted', () => {
    expect(parses('submit', { ...submitBody(), item: { ...item, content: 'مرحبا \u202bquoted\u202c' } })).toBe(true);
  });
});

describe('userNameKey', () => {
  it.each([
    ['case', 'CLERKA', 'clerkA'],
    ['compatibility forms', 'ｃｌｅｒｋＡ', 'clerkA'],
    ['Cyrillic look-alikes', 'сlеrkА', 'clerkA'],
    ['Greek look-alikes', 'ΑΒΟ', 'abo'],
    ['digits that look like letters', 'c1erk0', 'clerko'],
    ['runs of spaces', ' Trần  Thị B ', 'trần thị b'],
    ['rn for m', 'adrnin', 'admin'],
  ])('gives one key to names that differ only in %s', (_what, a, b) => {
    expect(userNameKey(a)).toBe(userNameKey(b));
  });

  it('keeps different names apart, diacritics included', () => {
    expect(userNameKey('clerkA')).not.toBe(userNameKey('clerkB'));
    expect(userNameKey('Trần')).not.toBe(userNameKey('Tran'));
  });
});
