import type { KeyObject } from 'node:crypto';
import type pg from 'pg';
import { describeKey, keyObjectOf, type PublishedKey } from '../../domain/index.ts';

type Queryable = pg.ClientBase | pg.Pool;

type KeyRow = {
  key_id: string;
  raw: string;
  valid_from: string;
  introduced_by: string | null;
  introduction: string | null;
};

/** Every key that signed the trail, oldest first; each valid until the next one starts. */
export async function listSigningKeys(client: Queryable): Promise<PublishedKey[]> {
  const { rows } = await client.query<KeyRow>('SELECT * FROM signing_keys ORDER BY valid_from, key_id');
  return rows.map((r, i) => ({
    ...describeKey(keyObjectOf(r.raw), r.valid_from),
    validUntil: rows[i + 1]?.valid_from ?? null,
    introducedBy: r.introduced_by,
    introduction: r.introduction,
  }));
}

/** Records a key that signs without an introduction (the trail's first, or one set by hand); a known key is left as it is. */
export async function registerSigningKey(client: Queryable, publicKey: KeyObject, validFrom: string): Promise<void> {
  const key = describeKey(publicKey, validFrom);
  await client.query(
    'INSERT INTO signing_keys (key_id, raw, valid_from) VALUES ($1, $2, $3) ON CONFLICT (key_id) DO NOTHING',
    [key.keyId, key.raw, key.validFrom],
  );
}

/** The introduction of a new key; the key it replaces stops being valid at the new one's start. */
export async function insertIntroducedKey(client: Queryable, key: PublishedKey): Promise<void> {
  await client.query(
    'INSERT INTO signing_keys (key_id, raw, valid_from, introduced_by, introduction) VALUES ($1, $2, $3, $4, $5)',
    [key.keyId, key.raw, key.validFrom, key.introducedBy, key.introduction],
  );
}
