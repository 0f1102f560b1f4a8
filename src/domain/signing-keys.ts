import { createPublicKey, sign, type KeyObject } from 'node:crypto';
import { z } from 'zod';
import { isValidSignature, publicKeyId, rawPublicKey } from './checkpoint.ts';
import { hex128, hex64 } from './bundle-schema.ts';
import { canonicalJson } from './hashing.ts';

// Signing keys and their rotation (docs/audit-format.md). A new key is introduced by the key
// before it: the old key signs { format, keyId, raw, previousKeyId, validFrom } of the new
// one, so a verifier who pinned any earlier key can follow the chain to the newest, and heads
// signed by an old key stay verifiable under it.

const KEY_INTRODUCTION_FORMAT = 'casetrail-key-introduction/1';

export const publishedKeySchema = z.strictObject({
  algorithm: z.literal('Ed25519'),
  keyId: hex64,
  raw: hex64,
  pem: z.string(),
  /** When it started signing (RFC 3339). */
  validFrom: z.string(),
  /** When the next key took over; null while it signs. */
  validUntil: z.string().nullable(),
  /** The key that introduced it, and that key's signature over the introduction; null for the first key. */
  introducedBy: hex64.nullable(),
  introduction: hex128.nullable(),
});

export type PublishedKey = z.output<typeof publishedKeySchema>;

export const keySetSchema = z.strictObject({ keys: z.array(publishedKeySchema).min(1) });

function introductionBytes(key: Pick<PublishedKey, 'keyId' | 'raw' | 'introducedBy' | 'validFrom'>): Buffer {
  return Buffer.from(
    canonicalJson({
      format: KEY_INTRODUCTION_FORMAT,
      keyId: key.keyId,
      raw: key.raw,
      previousKeyId: key.introducedBy,
      validFrom: key.validFrom,
    }),
    'utf8',
  );
}

/** The introduction of `next` signed by the key before it. */
export function introduceKey(
  next: KeyObject,
  previous: { signingKey: KeyObject; publicKey: KeyObject },
  validFrom: string,
): PublishedKey {
  const entry = {
    ...describeKey(next, validFrom),
    introducedBy: publicKeyId(previous.publicKey),
  };
  return { ...entry, introduction: sign(null, introductionBytes(entry), previous.signingKey).toString('hex') };
}

/** A key as published, without an introduction (the first key of a trail). */
export function describeKey(publicKey: KeyObject, validFrom: string): PublishedKey {
  return {
    algorithm: 'Ed25519',
    keyId: publicKeyId(publicKey),
    raw: rawPublicKey(publicKey).toString('hex'),
    pem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    validFrom,
    validUntil: null,
    introducedBy: null,
    introduction: null,
  };
}

export function keyObjectOf(raw: string): KeyObject {
  return createPublicKey({
    key: { kty: 'OKP', crv: 'Ed25519', x: Buffer.from(raw, 'hex').toString('base64url') },
    format: 'jwk',
  });
}

export type ResolvedKeys = {
  /** Every listed key whose id, PEM and introduction hold. */
  keys: Map<string, KeyObject>;
  /** The pinned keys and every key introduced, link by link, by one of them; null when nothing is pinned. */
  trusted: Set<string> | null;
};

/**
 * Checks a list of keys (each keyId the SHA-256 of its raw bytes, its PEM the same key, each
 * introduction signed by the key it names) and works out which are trusted from the pins.
 */
export function resolveKeys(list: readonly PublishedKey[], pinned: ReadonlySet<string> | null): ResolvedKeys | string {
  const keys = new Map<string, KeyObject>();
  for (const entry of list) {
    let key: KeyObject;
    try {
      key = keyObjectOf(entry.raw);
      if (!rawPublicKey(createPublicKey(entry.pem)).equals(rawPublicKey(key)))
        return `key ${entry.keyId}: the PEM is not the raw key`;
    } catch {
      return `key ${entry.keyId} is not an Ed25519 key`;
    }
    if (publicKeyId(key) !== entry.keyId) return `key ${entry.keyId} does not match its keyId`;
    keys.set(entry.keyId, key);
  }
  for (const entry of list) {
    if (entry.introducedBy === null && entry.introduction === null) continue;
    const previous = entry.introducedBy === null ? undefined : keys.get(entry.introducedBy);
    if (previous === undefined || entry.introduction === null)
      return `key ${entry.keyId}: its introduction names a key that is not listed`;
    if (!isValidSignature(introductionBytes(entry), entry.introduction, previous))
      return `key ${entry.keyId}: its introduction is not signed by key ${entry.introducedBy}`;
  }
  if (pinned === null) return { keys, trusted: null };
  const trusted = new Set([...pinned].filter((id) => keys.has(id)));
  for (let grew = true; grew; ) {
    grew = false;
    for (const entry of list) {
      if (!trusted.has(entry.keyId) && entry.introducedBy !== null && trusted.has(entry.introducedBy)) {
        trusted.add(entry.keyId);
        grew = true;
      }
    }
  }
  return { keys, trusted };
}
