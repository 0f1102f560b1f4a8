import { createHash, createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  GENESIS_HASH,
  canonicalJson,
  chainEvents,
  eventEnvelope,
  hashEvent,
  personalDigest,
  verifyChain,
} from '../../src/domain/index.ts';
import type { StoredEvent } from '../../src/domain/index.ts';
import { SUPERVISOR, T0 } from './domain-world.ts';

// Keys deliberately out of order, a quote, a newline and non-ASCII text in the payload.
const ENVELOPE = {
  type: 'case.appeal_decided',
  seq: 2,
  prevHash: 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
  payload: { note: 'Tin "giả"\nvề vắc-xin', decision: 'upheld' },
  occurredAt: '2026-11-28T09:30:00.000Z',
  commandId: 'c0ffee00-0000-4000-8000-000000000001',
  caseId: '3f1c2a9e-0b7d-4c11-9a52-6d8e4f0a1b2c',
  actor: { roles: ['supervisor', 'clerk'], id: '7d2e5b10-1c3a-4e8f-b6a4-2f9c0d1e3a57' },
};

// Written by hand from RFC 8785: keys sorted, no spaces, JSON escapes, UTF-8 text as is.
const CANONICAL =
  '{"actor":{"id":"7d2e5b10-1c3a-4e8f-b6a4-2f9c0d1e3a57","roles":["supervisor","clerk"]},' +
  '"caseId":"3f1c2a9e-0b7d-4c11-9a52-6d8e4f0a1b2c","commandId":"c0ffee00-0000-4000-8000-000000000001",' +
  '"occurredAt":"2026-11-28T09:30:00.000Z","payload":{"decision":"upheld","note":"Tin \\"giả\\"\\nvề vắc-xin"},' +
  '"prevHash":"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855","seq":2,"type":"case.appeal_decided"}';

// `sha256sum` over the bytes of CANONICAL.
const EXPECTED_HASH = '7e455aa0710e857f5a64f5270e40f3d2587b85b989cc8b0371151a21b537f1da';

describe('event hashing', () => {
  it('canonicalizes an envelope with RFC 8785', () => {
    expect(canonicalJson(eventEnvelope(ENVELOPE))).toBe(CANONICAL);
  });

  it('hashes a fixed event to the known SHA-256 of its canonical JSON', () => {
    expect(createHash('sha256').update(CANONICAL, 'utf8').digest('hex')).toBe(EXPECTED_HASH);
    expect(hashEvent(ENVELOPE)).toBe(EXPECTED_HASH);
  });

  it('hashes only the envelope: a storage id or the hash itself changes nothing', () => {
    expect(hashEvent({ ...ENVELOPE, id: 42, hash: 'f'.repeat(64), recordedAt: 'x' } as typeof ENVELOPE)).toBe(
      EXPECTED_HASH,
    );
  });

  it('starts a chain from 64 zeros', () => {
    expect(GENESIS_HASH).toBe('0000000000000000000000000000000000000000000000000000000000000000');
  });
});

describe('personalDigest', () => {
  it('is the HMAC-SHA256 of the canonical JSON of the personal fields', () => {
    const expected = 'c1556577eca7023f47d76e8f09cda74f013afe3ed63f4f018bae407695fd3301';
    const literal = '{"accountHandle":"nguyen.van.a","content":"Tin giả"}';
    expect(createHmac('sha256', 'test-hmac-key').update(literal, 'utf8').digest('hex')).toBe(expected);
    expect(
      personalDigest('test-hmac-key', { content: 'Tin giả', accountHandle: 'nguyen.van.a', accountName: undefined }),
    ).toBe(expected);
  });
});

describe('chains', () => {
  const caseA = '00000000-0000-4000-9000-00000000000a';
  const caseB = '00000000-0000-4000-9000-00000000000b';
  const chain = () =>
    chainEvents(
      [
        { caseId: caseA, type: 'case.note_added', payload: { text: 'one' } },
        { caseId: caseB, type: 'case.note_added', payload: { text: 'b' } },
        { caseId: caseA, type: 'case.note_added', payload: { text: 'two' } },
      ],
      {
        heads: { [caseA]: { seq: 0, hash: GENESIS_HASH }, [caseB]: { seq: 4, hash: 'b'.repeat(64) } },
        actor: SUPERVISOR,
        commandId: null,
        occurredAt: T0,
      },
    );

  it('assigns seq and prevHash per case, in list order', () => {
    const [a1, b5, a2] = chain();
    expect([a1?.seq, a1?.prevHash, b5?.seq, b5?.prevHash, a2?.seq, a2?.prevHash]).toEqual([
      1,
      GENESIS_HASH,
      5,
      'b'.repeat(64),
      2,
      a1?.hash,
    ]);
    expect(a1?.occurredAt).toBe('2026-11-28T09:30:00.000Z');
    expect(a1?.hash).toBe(hashEvent(a1!));
  });

  it('refuses to chain an event of a case whose head was not given', () => {
    expect(() =>
      chainEvents([{ caseId: caseB, type: 'case.note_added', payload: { text: 'x' } }], {
        heads: {},
        actor: SUPERVISOR,
        commandId: null,
        occurredAt: T0,
      }),
    ).toThrow(`no chain head given for case ${caseB}`);
  });

  it('verifies an intact chain', () => {
    const events = chain().filter((e) => e.caseId === caseA);
    expect(verifyChain(events)).toEqual({ ok: true });
  });

  it('names the seq of an altered payload', () => {
    const [a1, , a2] = chain();
    const altered = { ...a2!, payload: { text: 'tampered' } } as StoredEvent;
    expect(verifyChain([a1!, altered])).toEqual({ ok: false, seq: 2, reason: 'hash does not match the event' });
  });

  it('names the missing seq when an event is deleted', () => {
    const [a1, , a2] = chain();
    const a3 = chainEvents([{ caseId: caseA, type: 'case.note_added', payload: { text: 'three' } }], {
      heads: { [caseA]: { seq: 2, hash: a2!.hash } },
      actor: SUPERVISOR,
      commandId: null,
      occurredAt: T0,
    })[0]!;
    expect(verifyChain([a1!, a3])).toEqual({ ok: false, seq: 2, reason: 'expected seq 2, found 3' });
  });

  it('names a broken link when an event is recomputed with another prevHash', () => {
    const [a1, , a2] = chain();
    const relinked = { ...a2!, prevHash: 'c'.repeat(64) };
    const rehashed = { ...relinked, hash: hashEvent(relinked) } as StoredEvent;
    expect(verifyChain([a1!, rehashed])).toEqual({
      ok: false,
      seq: 2,
      reason: 'prevHash is not the hash of the previous event',
    });
  });

  it('refuses a first event that does not start from the genesis hash', () => {
    const [, b5] = chain();
    expect(verifyChain([{ ...b5!, seq: 1 }])).toEqual({
      ok: false,
      seq: 1,
      reason: 'prevHash is not the hash of the previous event',
    });
  });
});
