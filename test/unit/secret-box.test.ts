import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { openSecret, sealSecret, secretsKeyFrom, SecretUnreadable } from '../../src/infra/secret-box.ts';

const key = secretsKeyFrom(Buffer.from('a key of at least thirty-two characters', 'utf8'));
const SECRET = 'whsec_test-secret-shared-with-the-receiver';
const ID = '1b9d6bcd-bbfd-4b2d-9b5d-ab8dfbbd4bed';

describe('secrets sealed at rest', () => {
  it('seals with AES-256-GCM under a fresh IV each time, and opens with the same key and row', () => {
    const sealed = sealSecret(key, SECRET, ID);
    expect(sealed).toMatch(/^v1\.[A-Za-z0-9_-]+$/u);
    expect(sealed).not.toContain('whsec');
    expect(Buffer.from(sealed.slice(3), 'base64url').includes(Buffer.from(SECRET))).toBe(false);
    expect(sealSecret(key, SECRET, ID)).not.toBe(sealed);
    expect(openSecret(key, sealed, ID)).toBe(SECRET);
  });

  it('does not open with another key, for another row, or once changed', () => {
    const sealed = sealSecret(key, SECRET, ID);
    expect(() => openSecret(secretsKeyFrom(randomBytes(32)), sealed, ID)).toThrow(SecretUnreadable);
    expect(() => openSecret(key, sealed, '7d0f3c2a-5b1e-4c3d-9a8b-6e5f4d3c2b1a')).toThrow(SecretUnreadable);
    const bytes = Buffer.from(sealed.slice(3), 'base64url');
    bytes[bytes.length - 1] = (bytes.at(-1) ?? 0) ^ 1;
    expect(() => openSecret(key, `v1.${bytes.toString('base64url')}`, ID)).toThrow(SecretUnreadable);
    expect(() => openSecret(key, SECRET, ID)).toThrow(SecretUnreadable);
  });

  it('derives a 32-byte key from any key material', () => {
    expect(secretsKeyFrom(Buffer.from('x'.repeat(32))).length).toBe(32);
    expect(secretsKeyFrom(Buffer.from('x'.repeat(32)))).toEqual(secretsKeyFrom(Buffer.from('x'.repeat(32))));
    expect(secretsKeyFrom(Buffer.from('y'.repeat(32)))).not.toEqual(secretsKeyFrom(Buffer.from('x'.repeat(32))));
  });
});
