import { describe, expect, it } from 'vitest';
import {
  contentHash,
  fingerprint,
  intakeDigests,
  keyedContentHash,
  keyedFingerprint,
  personalRefsIn,
  personalValueDigest,
  protectDrafts,
  revealValues,
  type Protector,
} from '../../src/domain/index.ts';
import { draft } from '../../src/domain/events.ts';
import { evolve } from '../../src/domain/evolve.ts';
import type { CaseState } from '../../src/domain/case-state.ts';

const KEY = 'unit-test-hmac-key';
const CASE = '3f1c2a9e-0b7d-4c11-9a52-6d8e4f0a1b2c';

/** A protector with a fixed salt per call number, so the digests are reproducible. */
function counting(): Protector {
  let n = 0;
  return (caseId, field, value) => {
    n += 1;
    const salt = n.toString(16).padStart(32, '0');
    return { caseId, field, value, salt, digest: personalValueDigest(KEY, salt, value) };
  };
}

describe('format 2 payloads', () => {
  it('replace every URL and free text by a salted keyed reference and mark the payload v: 2', () => {
    const { drafts, values } = protectDrafts(
      [
        draft(CASE, 'case.verified', {
          verdict: 'false',
          rationale: 'No trial supports it',
          evidence: [{ kind: 'url', url: 'https://moh.gov.vn/a', description: 'Advisory' }],
          deadlineAt: null,
        }),
        draft(CASE, 'case.claimed', { claimedUntil: '2026-12-07T00:00:00.000Z' }),
      ],
      counting(),
    );
    expect(values.map((v) => [v.field, v.value])).toEqual([
      ['text', 'No trial supports it'],
      ['evidenceUrl', 'https://moh.gov.vn/a'],
      ['text', 'Advisory'],
    ]);
    const [verified, claimed] = drafts;
    expect(verified?.payload).toEqual({
      verdict: 'false',
      rationale: `pd:${values[0]?.digest}`,
      evidence: [{ kind: 'url', url: `pd:${values[1]?.digest}`, description: `pd:${values[2]?.digest}` }],
      deadlineAt: null,
      v: 2,
    });
    expect(claimed?.payload).toEqual({ claimedUntil: '2026-12-07T00:00:00.000Z' });
    // The same text with another salt gives another reference: equal texts are not linkable.
    expect(personalValueDigest(KEY, 'a'.repeat(32), 'Advisory')).not.toBe(
      personalValueDigest(KEY, 'b'.repeat(32), 'Advisory'),
    );
  });

  it('reveal the values the store still holds and leave erased references as they are', () => {
    const payload = { note: `pd:${'1'.repeat(64)}`, nested: [{ text: `pd:${'2'.repeat(64)}` }], plain: 'pd:short' };
    expect([...personalRefsIn(payload)]).toEqual(['1'.repeat(64), '2'.repeat(64)]);
    const known = new Map([['1'.repeat(64), 'the note']]);
    expect(revealValues(payload, (d) => known.get(d))).toEqual({
      note: 'the note',
      nested: [{ text: `pd:${'2'.repeat(64)}` }],
      plain: 'pd:short',
    });
  });

  it('fold to the same case in both formats, the version member left out', () => {
    const state = { id: CASE, version: 3, headHash: 'a'.repeat(64) } as CaseState;
    const referred = (payload: object) =>
      evolve(state, {
        ...draft(CASE, 'case.referred', payload as never),
        seq: 4,
        actor: { id: 'x', roles: ['supervisor'] },
        commandId: null,
        occurredAt: '2026-12-01T00:00:00.000Z',
        prevHash: 'a'.repeat(64),
        hash: 'b'.repeat(64),
      }).referral;
    const v1 = { authority: { code: 'A', name: 'B' }, note: 'n', deadlineAt: '2026-12-08T00:00:00.000Z' };
    expect(referred({ ...v1, v: 2 })).toEqual(referred(v1));
    expect(referred({ ...v1, v: 2 })).not.toHaveProperty('v');
  });

  it('key the item and content digests, matching cases stored under the plain ones too', () => {
    const url = 'https://www.facebook.com/groups/1/posts/2?fbclid=x';
    const digests = intakeDigests(KEY, { platform: 'facebook', url, content: ' Tin  giả ' });
    expect(digests.itemKeys[0]).toBe(keyedFingerprint(KEY, 'https://facebook.com/groups/1/posts/2'));
    expect(digests.itemKeys).toContain(fingerprint(url));
    expect(digests.contentHashes).toEqual([keyedContentHash(KEY, 'Tin giả'), contentHash('Tin giả')]);
    expect(keyedFingerprint(KEY, url)).not.toBe(fingerprint(url));
    expect(keyedFingerprint('another key', url)).not.toBe(keyedFingerprint(KEY, url));
  });

  it('give the example values of docs/audit-format.md, "Personal data and keyed digests"', () => {
    const key = 'example-hmac-key-do-not-use';
    expect(
      personalValueDigest(key, '00112233445566778899aabbccddeeff', 'Đã gọi người báo tin để lấy ảnh chụp gốc.'),
    ).toBe('e2f72d9ed48eee7185fed71a7e054adb76d7b6be34a43c0e9c543efa04f82fa8');
    expect(keyedFingerprint(key, 'https://m.facebook.com/groups/123/posts/456/?fbclid=abc')).toBe(
      '8a3968ead840b8ba3b53c75538289f664cd9fc4326f0ed0638736cc77187bcc9',
    );
    expect(keyedContentHash(key, '  Uống nước chanh   nóng chữa khỏi cúm ')).toBe(
      'd327766e2eeecdc4ef2ec9e2939757c2aa1825e22edd2ca2b05b268bb197efbb',
    );
  });
});
