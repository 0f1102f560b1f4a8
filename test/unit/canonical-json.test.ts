import canonicalize from 'canonicalize';
import { describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { canonicalJson, eventEnvelope, hashEvent, type EventEnvelope } from '../../src/domain/index.ts';
import { EXAMPLE_ENVELOPES, exampleBundle, workedExample } from './audit-example.ts';

// canonicalJson is our own RFC 8785 serializer; the `canonicalize` package is the reference
// it must match byte for byte (or throw where the package throws) on every value.

/** What the reference gives: its JSON, or the message it throws. */
function reference(value: unknown): { json: string | undefined } | { error: string } {
  try {
    return { json: canonicalize(value) };
  } catch (error) {
    return { error: (error as Error).message };
  }
}

function ours(value: unknown): { json: string | undefined } | { error: string } {
  try {
    return { json: canonicalJson(value) };
  } catch (error) {
    const message = (error as Error).message;
    // The package gives undefined where canonicalJson refuses a value that has no JSON.
    return message === 'value has no JSON representation' ? { json: undefined } : { error: message };
  }
}

/** A small seeded generator (mulberry32), so a failure replays. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const CHARS = [
  'a',
  'Z',
  '0',
  ' ',
  '"',
  '\\',
  '/',
  '\n',
  '\r',
  '\t',
  '\b',
  '\f',
  '\u0000',
  '\u001f',
  '\u007f',
  '\u0080',
  'é',
  'ả',
  'ệ',
  '€',
  '\u2028',
  '\u2029',
  '\ufeff',
  '\uffff',
  '😀',
  '\ud83d\ude00',
  '𝄞',
  '\ud800',
  '\udfff',
  '\udbff',
  '\udc00',
];

const NUMBERS = [
  0,
  -0,
  1,
  -1,
  7,
  42,
  2 ** 31,
  -(2 ** 31),
  2 ** 53 - 1,
  -(2 ** 53 - 1),
  2 ** 53,
  1e21,
  1e-7,
  1e-6,
  123456789.125,
  0.1,
  0.2 + 0.1,
  1 / 3,
  -1.5e-300,
  5e-324,
  Number.MAX_VALUE,
  Number.MIN_VALUE,
  4.35,
  1e301,
  Infinity,
  -Infinity,
  NaN,
];

const LONE = ['\ud800', '\udfff', '\udbff', '\udc00'];

function generator(seed: number): () => unknown {
  const next = random(seed);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(next() * list.length)] as T;
  const text = (wellFormed: boolean): string => {
    let s = '';
    const length = Math.floor(next() * 8);
    for (let i = 0; i < length; i++) {
      const c = pick(CHARS);
      if (!wellFormed || !LONE.includes(c)) s += c;
    }
    return s;
  };
  const number = (): number => {
    const r = next();
    if (r < 0.3) return pick(NUMBERS);
    if (r < 0.7) return Math.floor((next() - 0.5) * 2 ** (next() * 60));
    return (next() - 0.5) * 10 ** Math.floor(next() * 40 - 20);
  };
  const value = (depth: number): unknown => {
    const r = next();
    if (depth > 3 || r < 0.35) {
      const leaf = next();
      if (leaf < 0.3) return text(true);
      if (leaf < 0.55) return number();
      if (leaf < 0.65) return next() < 0.5;
      if (leaf < 0.75) return null;
      if (leaf < 0.8) return undefined;
      if (leaf < 0.82) return Symbol('s');
      if (leaf < 0.86) return new Date(Math.floor(next() * 4e12));
      if (leaf < 0.87) return new Date(NaN);
      // Now and then a string with a lone surrogate.
      return text(next() > 0.05);
    }
    if (r < 0.6) {
      const list: unknown[] = [];
      const length = Math.floor(next() * 5);
      for (let i = 0; i < length; i++) list.push(value(depth + 1));
      return list;
    }
    const object: Record<string, unknown> = {};
    const size = Math.floor(next() * (next() < 0.1 ? 30 : 7));
    for (let i = 0; i < size; i++) {
      const k = next();
      const key =
        k < 0.2
          ? String(Math.floor(next() * 20))
          : k < 0.21
            ? text(false)
            : text(true) + pick(['', 'id', 'Id', 'at', 'A', '_']);
      object[key] = value(depth + 1);
    }
    return object;
  };
  return () => value(0);
}

describe('canonicalJson against the canonicalize package', () => {
  it('agrees on many generated values, errors included', () => {
    for (let seed = 1; seed <= 10; seed++) {
      const generate = generator(seed);
      for (let i = 0; i < 2_000; i++) {
        const value = generate();
        const expected = reference(value);
        const actual = ours(value);
        if (JSON.stringify(actual) !== JSON.stringify(expected)) {
          expect({ seed, i, actual }).toEqual({ seed, i, actual: expected });
        }
      }
    }
    // Tens of thousands of values through both serializers: seconds on a busy machine.
  }, 60_000);

  it('agrees on the values the trail hashes', () => {
    const bundle = exampleBundle();
    const values: unknown[] = [
      ...EXAMPLE_ENVELOPES.map(({ id: _id, ...e }) => e),
      workedExample(),
      bundle,
      bundle.case,
      ...bundle.events,
      ...bundle.checkpoints,
    ];
    for (const value of values) expect(canonicalJson(value)).toBe(canonicalize(value));
  });

  it('agrees on edge cases', () => {
    // biome-ignore lint/suspicious/noSparseArray: a hole is the edge case under test
    const sparse = [1, , 3];
    const fn = () => 1;
    const cyclic: Record<string, unknown> = { a: 1 };
    cyclic.self = cyclic;
    const cyclicList: unknown[] = [];
    cyclicList.push([cyclicList]);
    const shared = { x: 1 };
    const values: unknown[] = [
      undefined,
      null,
      true,
      false,
      '',
      0,
      -0,
      NaN,
      Infinity,
      -Infinity,
      1e21,
      1e-7,
      'x',
      '\ud800',
      '\udc00a',
      'a\ud83d',
      [],
      {},
      [undefined, null, Symbol('s'), fn],
      { a: undefined, b: Symbol('s'), c: fn, d: 1 },
      sparse,
      { '\ud800': 1 },
      { b: 1, a: 2, B: 3, ä: 4, '😀': 5, '\uffff': 6, '10': 7, '9': 8, '': 9 },
      new Date(0),
      new Date(NaN),
      { when: new Date(86_400_000) },
      { toJSON: () => ({ z: 1, a: [1, '2'] }) },
      { toJSON: () => undefined },
      [{ toJSON: () => undefined }],
      Object.assign(Object.create(null), { b: 1, a: 2 }),
      new Number(5),
      new String('ab'),
      new Boolean(false),
      Buffer.from('hi'),
      new Uint8Array([1, 2, 3]),
      Object.fromEntries(Array.from({ length: 40 }, (_, i) => [`k${(i * 7) % 40}`, i])),
      { shared, again: shared, list: [shared, shared] },
      cyclic,
      cyclicList,
    ];
    for (const value of values) expect(ours(value)).toEqual(reference(value));
    expect(() => canonicalJson(10n)).toThrow(TypeError);
    expect(() => canonicalize(10n)).toThrow(TypeError);
  });

  it('hashEvent hashes exactly the canonical JSON of the envelope', () => {
    const generate = generator(99);
    const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');
    const [example] = EXAMPLE_ENVELOPES;
    const base = { ...(example as EventEnvelope), id: '7', hash: 'f'.repeat(64) };
    for (let i = 0; i < 2_000; i++) {
      const envelope = {
        ...base,
        payload: generate(),
        commandId: i % 3 === 0 ? null : i % 3 === 1 ? base.commandId : undefined,
        actor: {
          id: i % 5 === 0 ? undefined : base.actor.id,
          roles: i % 7 === 0 ? ['a', undefined] : base.actor.roles,
          extra: 1,
        },
        seq: i % 11 === 0 ? NaN : i,
      } as unknown as EventEnvelope;
      const expected = ours(eventEnvelope(envelope));
      let actual: { json: string | undefined } | { error: string };
      try {
        actual = { json: hashEvent(envelope) };
      } catch (error) {
        actual = { error: (error as Error).message };
      }
      expect(actual).toEqual('json' in expected ? { json: sha256(expected.json as string) } : expected);
    }
  });
});
