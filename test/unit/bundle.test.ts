import { describe, expect, it } from 'vitest';
import { buildBundle, canonicalJson, publicKeyId, verifyBundle, type Bundle } from '../../src/domain/index.ts';
import { keyPair, seal, twoCaseTrail } from './audit-world.ts';

const { signingKey, publicKey } = keyPair();
const { world, a, events, leaves } = twoCaseTrail();
const sealed = seal(leaves, [4, 2], signingKey, publicKey);
const eventsOfA = events.filter((e) => e.caseId === a);

/** A's events 1-4 are in checkpoint 1 (ids 1, 2, 4, 5 → checkpoints 1, 1, 1, 2), seq 5 (id 7) is unsealed. */
function bundleOfA(): Bundle {
  return buildBundle({
    state: world.state(a),
    events: eventsOfA,
    covering: sealed.map(({ checkpoint, leaves: range }) => ({ checkpoint, leaves: range })),
    exportedAt: '2026-11-28T11:00:00.000Z',
    signingKey,
    publicKey,
  });
}

/** The bundle as a file, one character changed `offset` characters after the markers, found in turn. */
function editByte(bundle: Bundle, markers: readonly string[], offset: number): unknown {
  const text = JSON.stringify(bundle, null, 2);
  const start = markers.reduce((from, marker) => {
    const found = text.indexOf(marker, from);
    if (found < 0) throw new Error(`${marker} not in the bundle`);
    return found;
  }, 0);
  const at = start + offset;
  const char = text[at] as string;
  const changed = /[0-9a-f]/u.test(char)
    ? ((parseInt(char, 16) + 1) % 16).toString(16)
    : char === 'z'
      ? 'y'
      : String.fromCharCode(char.charCodeAt(0) + 1);
  return JSON.parse(`${text.slice(0, at)}${changed}${text.slice(at + 1)}`);
}

describe('an exported bundle', () => {
  it('verifies: the chain, the case as the fold of its events, proofs for the sealed events', () => {
    const bundle = bundleOfA();
    expect(bundle.proofs.map((p) => [p.seq, p.checkpoint, p.leafIndex])).toEqual([
      [1, 1, 0],
      [2, 1, 1],
      [3, 1, 3],
      [4, 2, 0],
    ]);
    expect(verifyBundle(JSON.parse(JSON.stringify(bundle)))).toEqual({
      ok: true,
      caseId: a,
      reference: world.state(a).reference,
      events: 5,
      sealedEvents: 4,
      unsealedEvents: 1,
      checkpoints: 2,
      keyId: publicKeyId(publicKey),
      format: 'casetrail-bundle/1',
      treeSize: 0,
      pinned: false,
    });
  });

  it('verifies against a pinned key, and refuses another', () => {
    expect(verifyBundle(bundleOfA(), { trustedKeyId: publicKeyId(publicKey) }).ok).toBe(true);
    expect(verifyBundle(bundleOfA(), { trustedKeyId: 'a'.repeat(64) })).toMatchObject({
      ok: false,
      failure: { reason: expect.stringMatching(/^signed with key .* not the trusted key/u) },
    });
  });

  it.each([
    [
      'a payload',
      ['"events"', '"rationale": "No'],
      15,
      { caseId: a, seq: 3, checkpoint: null, reason: 'hash does not match the event' },
    ],
    [
      'an event hash',
      ['"events"', '"hash": "'],
      9,
      { caseId: a, seq: 1, checkpoint: null, reason: 'hash does not match the event' },
    ],
    [
      'the case',
      ['"priority": "'],
      14,
      { caseId: a, seq: 5, checkpoint: null, reason: 'the case differs from the fold of its events in priority' },
    ],
    [
      'a proof path',
      ['"path": ['],
      20,
      { caseId: a, seq: 1, checkpoint: 1, reason: "the inclusion proof does not lead to the checkpoint's root" },
    ],
    [
      'a checkpoint signature',
      ['"checkpoints"', '"signature": "'],
      20,
      { caseId: null, seq: null, checkpoint: 1, reason: 'signature is not valid' },
    ],
    [
      'the export time',
      ['"exportedAt": "'],
      20,
      {
        caseId: a,
        seq: null,
        checkpoint: null,
        reason: 'the bundle signature is not valid: the bundle was changed after export',
      },
    ],
  ] as const)('is refused, naming where, when one byte of %s is edited', (_what, find, offset, failure) => {
    expect(verifyBundle(editByte(bundleOfA(), find, offset))).toEqual({ ok: false, failure });
  });

  it('is refused whichever byte is changed (400 positions spread over the file)', () => {
    const text = JSON.stringify(bundleOfA());
    const step = Math.ceil(text.length / 400);
    const accepted: number[] = [];
    for (let at = 0; at < text.length; at += step) {
      const changed = `${text.slice(0, at)}${text[at] === '0' ? '1' : '0'}${text.slice(at + 1)}`;
      let document: unknown;
      try {
        document = JSON.parse(changed);
      } catch {
        continue; // not JSON any more: refused before verification
      }
      if (verifyBundle(document).ok) accepted.push(at);
    }
    expect(accepted).toEqual([]);
  });

  it('is refused when an event is left out, naming the first missing seq', () => {
    const bundle = bundleOfA();
    const cut = { ...bundle, events: bundle.events.filter((e) => e.seq !== 2) };
    expect(verifyBundle(cut)).toEqual({
      ok: false,
      failure: { caseId: a, seq: 2, checkpoint: null, reason: 'expected seq 2, found 3' },
    });
  });

  it('is refused when a sealed event comes without its proof', () => {
    const bundle = bundleOfA();
    const unsigned = { ...bundle, proofs: bundle.proofs.filter((p) => p.seq !== 4) };
    expect(verifyBundle(unsigned)).toMatchObject({
      ok: false,
      failure: { caseId: a, seq: 4, reason: 'the event lies in a sealed range but has no inclusion proof' },
    });
  });

  it('is refused when it is not a casetrail-bundle/1 document', () => {
    expect(verifyBundle({ ...bundleOfA(), extra: 1 })).toMatchObject({
      ok: false,
      failure: { reason: expect.stringMatching(/^not a casetrail-bundle\/1 document: /u) },
    });
    expect(verifyBundle([])).toMatchObject({ ok: false });
  });

  it('signs the canonical JSON of everything but its signature', () => {
    const { signature, ...unsigned } = bundleOfA();
    const reordered = JSON.parse(canonicalJson(unsigned)) as Record<string, unknown>;
    expect(verifyBundle({ signature, ...reordered }).ok).toBe(true);
  });
});
