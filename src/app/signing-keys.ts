import { createPublicKey, type KeyObject } from 'node:crypto';
import type pg from 'pg';
import { introduceKey, publicKeyId, resolveKeys, type PublishedKey } from '../domain/index.ts';
import { databaseNow } from '../infra/db/checkpoint.repository.ts';
import { insertIntroducedKey, listSigningKeys, registerSigningKey } from '../infra/db/signing-key.repository.ts';

// The keys that sign the trail (docs/audit-format.md, key rotation): published without a
// token, put in bundles, and rotated with the old key signing the new one's introduction.

export type KeyPair = { signingKey: KeyObject; publicKey: KeyObject };

/** Every key that signed the trail, the process's own key recorded first if it is new. */
export async function publishedKeys(pool: pg.Pool | pg.ClientBase, publicKey: KeyObject): Promise<PublishedKey[]> {
  await registerSigningKey(pool, publicKey, (await databaseNow(pool)).toISOString());
  return listSigningKeys(pool);
}

/** Introduces `next` (a private key) as the signing key from now on, signed by the current one. */
export async function rotateSigningKey(pool: pg.Pool, current: KeyPair, next: KeyObject): Promise<PublishedKey> {
  const known = await publishedKeys(pool, current.publicKey);
  const nextPublic = createPublicKey(next);
  if (known.some((k) => k.keyId === publicKeyId(nextPublic)))
    throw new Error('the new key has signed this trail before: rotate to a key never used');
  const introduced = introduceKey(nextPublic, current, (await databaseNow(pool)).toISOString());
  await insertIntroducedKey(pool, introduced);
  return introduced;
}

/**
 * The keys a verifier of the database accepts under its anchor (the process's key or a
 * pinned one): the anchor, the keys it introduced, and the keys that introduced it, link by
 * link, as recorded. Null when the recorded keys do not hold together.
 */
export async function trustedKeysOf(pool: pg.Pool, anchor: KeyObject): Promise<Map<string, KeyObject> | string> {
  const list = await listSigningKeys(pool);
  const anchorId = publicKeyId(anchor);
  const resolved = resolveKeys(list, new Set([anchorId]));
  if (typeof resolved === 'string') return resolved;
  const trusted = new Map([[anchorId, anchor]]);
  for (const id of resolved.trusted ?? []) trusted.set(id, resolved.keys.get(id) as KeyObject);
  const byId = new Map(list.map((k) => [k.keyId, k]));
  for (let at = byId.get(anchorId)?.introducedBy ?? null; at !== null && !trusted.has(at); ) {
    trusted.set(at, resolved.keys.get(at) as KeyObject);
    at = byId.get(at)?.introducedBy ?? null;
  }
  return trusted;
}
