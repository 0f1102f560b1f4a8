import { describe, expect, it } from 'vitest';
import {
  GENESIS_HASH,
  canonicalJson,
  checkpointBytes,
  createCheckpointChainVerifier,
  hashCheckpoint,
  headsHash,
  publicKeyId,
  rawPublicKey,
  signCheckpoint,
} from '../../src/domain/index.ts';
import { createHash, verify } from 'node:crypto';
import { keyPair, seal, twoCaseTrail } from './audit-world.ts';

const { signingKey, publicKey } = keyPair();
const { leaves, a, b } = twoCaseTrail();
const [first, second] = seal(leaves, [4, 3], signingKey, publicKey).map((s) => s.checkpoint);

describe('a signed checkpoint', () => {
  it('hashes and signs the UTF-8 canonical JSON of its envelope, without hash and signature', () => {
    if (first === undefined) throw new Error('no checkpoint');
    const { hash, signature, ...envelope } = first;
    const bytes = Buffer.from(canonicalJson(envelope), 'utf8');
    expect(checkpointBytes(first).equals(bytes)).toBe(true);
    expect(hash).toBe(createHash('sha256').update(bytes).digest('hex'));
    expect(hashCheckpoint(envelope)).toBe(hash);
    expect(verify(null, bytes, publicKey, Buffer.from(signature, 'hex'))).toBe(true);
  });

  it('commits to the last event of each case in its range, sorted by case id', () => {
    const heads = [
      { caseId: a, seq: 3, hash: leaves[3]?.hash as string },
      { caseId: b, seq: 1, hash: leaves[2]?.hash as string },
    ].sort((x, y) => x.caseId.localeCompare(y.caseId));
    expect(first?.headsHash).toBe(createHash('sha256').update(canonicalJson(heads), 'utf8').digest('hex'));
    expect(headsHash([...heads].reverse())).toBe(first?.headsHash);
  });

  it('names its key by the SHA-256 of the raw 32-byte public key', () => {
    expect(rawPublicKey(publicKey)).toHaveLength(32);
    expect(first?.keyId).toBe(createHash('sha256').update(rawPublicKey(publicKey)).digest('hex'));
  });
});

describe('the checkpoint chain verifier', () => {
  const verifyAll = (list: (typeof first)[]) => {
    const verifyNext = createCheckpointChainVerifier(publicKey);
    return list.map((c) => verifyNext(c as NonNullable<typeof first>));
  };

  it('accepts checkpoints 1 and 2: linked, tiling ids 1..7, validly signed', () => {
    expect(first).toMatchObject({ seq: 1, fromEventId: '1', toEventId: '4', eventCount: 4, prevHash: GENESIS_HASH });
    expect(second).toMatchObject({ seq: 2, fromEventId: '5', toEventId: '7', eventCount: 3, prevHash: first?.hash });
    expect(verifyAll([first, second])).toEqual([{ ok: true }, { ok: true }]);
  });

  it('names a missing first checkpoint', () => {
    expect(verifyAll([second])).toEqual([{ ok: false, reason: 'expected checkpoint 1, found 2' }]);
  });

  it('refuses a changed root, whose hash no longer matches', () => {
    const changed = { ...second!, root: '0'.repeat(64) };
    expect(verifyAll([first, changed])[1]).toEqual({ ok: false, reason: 'hash does not match the checkpoint' });
  });

  it('refuses an altered signature', () => {
    const last = second!.signature.at(-1) === '0' ? '1' : '0';
    const altered = { ...second!, signature: `${second!.signature.slice(0, -1)}${last}` };
    expect(verifyAll([first, altered])[1]).toEqual({ ok: false, reason: 'signature is not valid' });
  });

  it('refuses a checkpoint re-signed by another key', () => {
    const other = keyPair();
    const forged = signCheckpoint({ ...second!, keyId: publicKeyId(other.publicKey) }, other.signingKey);
    expect(verifyAll([first, forged])[1]).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/^signed by key .*not the trusted key/u),
    });
  });

  it('refuses a range that leaves a gap', () => {
    const gap = signCheckpoint({ ...second!, fromEventId: '6' }, signingKey);
    expect(verifyAll([first, gap])[1]).toEqual({ ok: false, reason: 'range starts at event 6, expected 5' });
  });

  it('refuses a broken link, then judges the next link on its own', () => {
    const unlinked = signCheckpoint({ ...second!, prevHash: 'f'.repeat(64) }, signingKey);
    const third = signCheckpoint(
      { ...second!, seq: 3, fromEventId: '8', toEventId: '9', prevHash: unlinked.hash },
      signingKey,
    );
    expect(verifyAll([first, unlinked, third])).toEqual([
      { ok: true },
      { ok: false, reason: 'prevHash is not the hash of the previous checkpoint' },
      { ok: true },
    ]);
  });
});
