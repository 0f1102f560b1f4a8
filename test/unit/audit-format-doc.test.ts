import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { verifyBundle } from '../../src/domain/index.ts';
import { EXAMPLE_SEED, exampleBundle, exampleKeys, workedExample } from './audit-example.ts';

// docs/audit-format.md is the auditors' specification: its worked example must be what the
// code computes, and its example bundle must verify.
const doc = readFileSync(new URL('../../docs/audit-format.md', import.meta.url), 'utf8');
const example = workedExample();

describe('docs/audit-format.md', () => {
  it('shows the example key, its raw public key, PEM and keyId', () => {
    const { publicKey } = exampleKeys();
    expect(doc).toContain(EXAMPLE_SEED);
    expect(doc).toContain(Buffer.from(example.publicKeyRaw, 'base64url').toString('hex'));
    expect(doc).toContain(publicKey.export({ type: 'spki', format: 'pem' }).toString().trim());
    expect(doc).toContain(example.checkpoint.keyId);
  });

  it('shows every value of the worked example as the code computes it', () => {
    const values = [
      ...example.canonical,
      ...example.hashes,
      ...example.leafHashes,
      example.headsCanonical,
      example.checkpoint.headsHash,
      example.checkpoint.root,
      example.checkpointCanonical,
      example.checkpoint.hash,
      example.checkpoint.signature,
      ...example.proofOf103,
    ];
    for (const value of values) expect(doc, value).toContain(value);
  });

  it("ships an example bundle that is exactly the code's, and verifies", () => {
    const shipped: unknown = JSON.parse(
      readFileSync(new URL('../../docs/audit-example-bundle.json', import.meta.url), 'utf8'),
    );
    expect(shipped).toEqual(exampleBundle());
    expect(verifyBundle(shipped)).toMatchObject({ ok: true, events: 4, sealedEvents: 4, checkpoints: 2 });
  });
});
