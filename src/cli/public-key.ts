import { createPublicKey, type KeyObject } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { publicKeyId } from '../domain/index.ts';
import { CliError } from './exit.ts';

/**
 * An Ed25519 public key to trust, from a file holding a PEM SubjectPublicKeyInfo, the 64 hex
 * characters of the raw key, or the JSON answer of GET /v1/audit/public-key.
 */
export async function readPublicKey(file: string): Promise<KeyObject> {
  let text: string;
  try {
    text = (await readFile(file, 'utf8')).trim();
  } catch (error) {
    throw new CliError(`--public-key: cannot read ${file}: ${(error as Error).message}`);
  }
  try {
    const raw = text.startsWith('{') ? String((JSON.parse(text) as { raw?: unknown }).raw) : text;
    const key = /^[0-9a-fA-F]{64}$/u.test(raw)
      ? createPublicKey({
          key: { kty: 'OKP', crv: 'Ed25519', x: Buffer.from(raw, 'hex').toString('base64url') },
          format: 'jwk',
        })
      : createPublicKey(text);
    if (key.asymmetricKeyType !== 'ed25519') throw new Error('not an Ed25519 key');
    return key;
  } catch (error) {
    throw new CliError(`--public-key: ${file} holds no Ed25519 public key (${(error as Error).message})`);
  }
}

/**
 * Key ids to trust from a file: the JSON of /.well-known/casetrail-keys.json (every key it
 * lists), or a JSON array of key ids.
 */
async function readTrustedKeys(file: string): Promise<string[]> {
  let document: unknown;
  try {
    document = JSON.parse(await readFile(file, 'utf8'));
  } catch (error) {
    throw new CliError(`--trusted-keys: cannot read ${file}: ${(error as Error).message}`);
  }
  const listed = Array.isArray(document) ? document : (document as { keys?: unknown } | null)?.keys;
  const ids = Array.isArray(listed)
    ? listed.map((k) => (typeof k === 'string' ? k : (k as { keyId?: unknown } | null)?.keyId))
    : [];
  if (ids.length === 0 || !ids.every((id) => typeof id === 'string' && /^[0-9a-f]{64}$/u.test(id)))
    throw new CliError(`--trusted-keys: ${file} lists no key ids (64 lower-case hex characters each)`);
  return ids as string[];
}

/** The key ids pinned by --public-key and --trusted-keys; undefined when none is. */
export async function pinnedKeyIds(flags: {
  publicKey?: string;
  trustedKeys?: string;
}): Promise<ReadonlySet<string> | undefined> {
  const ids = new Set<string>(flags.trustedKeys === undefined ? [] : await readTrustedKeys(flags.trustedKeys));
  if (flags.publicKey !== undefined) ids.add(publicKeyId(await readPublicKey(flags.publicKey)));
  return ids.size === 0 ? undefined : ids;
}
