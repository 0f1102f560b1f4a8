import { describe, expect, it } from 'vitest';
import { parseStrictJson } from '../../src/domain/strict-json.ts';

describe('strict JSON (I-JSON) for bundles', () => {
  it('reads a document whose names are unique in each object', () => {
    expect(parseStrictJson('{"a":{"b":1,"c":[{"b":2},{"b":3}]},"b":"{\\"a\\":1,\\"a\\":2}"}')).toEqual({
      ok: true,
      value: { a: { b: 1, c: [{ b: 2 }, { b: 3 }] }, b: '{"a":1,"a":2}' },
    });
  });

  it.each([
    ['{"a":1,"a":2}', '$.a'],
    ['{"x":{"b":1,"b":1}}', '$.x.b'],
    ['{"x":[{"k":1},{"k":1,"k":2}]}', '$.x[].k'],
    ['{"a":1,"\\u0061":2}', '$.a'],
  ])('refuses %s, naming %s', (text, path) => {
    expect(parseStrictJson(text)).toEqual({ ok: false, reason: `duplicate member ${path}` });
  });

  it('refuses text that is not JSON', () => {
    expect(parseStrictJson('{"a":').ok).toBe(false);
  });
});
