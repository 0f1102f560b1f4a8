import { createPublicKey, type KeyObject } from 'node:crypto';
import { readFile } from 'node:fs/promises';
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
