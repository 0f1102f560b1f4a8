import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';

const VERSION = 'v1';
const IV_BYTES = 12;
const TAG_BYTES = 16;

/** The 32-byte AES key that seals secrets at rest, derived from the configured or generated key material. */
export function secretsKeyFrom(material: Buffer): Buffer {
  return Buffer.from(hkdfSync('sha256', material, Buffer.alloc(0), 'casetrail secrets at rest', 32));
}

/**
 * Seals a secret with AES-256-GCM: `v1.` and base64url(iv ‖ tag ‖ ciphertext). `context`
 * (e.g. the row's id) is authenticated with it, so a sealed value copied to another row
 * does not open there.
 */
export function sealSecret(key: Buffer, plaintext: string, context: string): string {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(Buffer.from(context, 'utf8'));
  const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return `${VERSION}.${Buffer.concat([iv, cipher.getAuthTag(), ciphertext]).toString('base64url')}`;
}

export class SecretUnreadable extends Error {
  override readonly name = 'SecretUnreadable';
}

/** The plaintext of a sealed secret; throws SecretUnreadable for another key, context or a changed value. */
export function openSecret(key: Buffer, sealed: string, context: string): string {
  const [version, data] = sealed.split('.');
  if (version !== VERSION || data === undefined) throw new SecretUnreadable('not a sealed secret of a known version');
  const bytes = Buffer.from(data, 'base64url');
  if (bytes.length < IV_BYTES + TAG_BYTES) throw new SecretUnreadable('sealed secret too short');
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, bytes.subarray(0, IV_BYTES));
    decipher.setAAD(Buffer.from(context, 'utf8'));
    decipher.setAuthTag(bytes.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
    return Buffer.concat([decipher.update(bytes.subarray(IV_BYTES + TAG_BYTES)), decipher.final()]).toString('utf8');
  } catch {
    throw new SecretUnreadable('the secret does not open with this key (CASETRAIL_SECRETS_KEY differs?)');
  }
}
