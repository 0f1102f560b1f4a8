import { createPrivateKey, createPublicKey, generateKeyPairSync, randomBytes, type KeyObject } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from '../logger.ts';
import { secretsKeyFrom } from '../secret-box.ts';
import type { Config } from './config.ts';

export interface Secrets {
  /** Key of the HMAC-SHA256 digests that stand for personal data in hashed events. */
  hmacKey: Buffer;
  /** Ed25519 key that signs audit checkpoints. */
  signingKey: KeyObject;
  publicKey: KeyObject;
  /** AES-256 key that seals secrets stored in the database (webhook secrets). */
  secretsKey: Buffer;
}

/**
 * Keys come from the environment, or are generated on first start into the data
 * directory (mode 0600) and reused after; the log says where.
 */
export async function loadSecrets(config: Config, log: Logger): Promise<Secrets> {
  const dir = path.resolve(config.CASETRAIL_DATA_DIR);
  const hmacKey = config.CASETRAIL_HMAC_KEY
    ? Buffer.from(config.CASETRAIL_HMAC_KEY, 'utf8')
    : Buffer.from(
        await readOrGenerate(path.join(dir, 'hmac.key'), () => randomBytes(32).toString('base64'), log),
        'base64',
      );
  const signingPem = config.CASETRAIL_SIGNING_KEY
    ? normalizePem(config.CASETRAIL_SIGNING_KEY)
    : await readOrGenerate(path.join(dir, 'signing-key.pem'), generateSigningKey, log);
  const signingKey = createPrivateKey(signingPem);
  if (signingKey.asymmetricKeyType !== 'ed25519')
    throw new Error('CASETRAIL_SIGNING_KEY: expected an Ed25519 private key');
  const secretsMaterial = config.CASETRAIL_SECRETS_KEY
    ? Buffer.from(config.CASETRAIL_SECRETS_KEY, 'utf8')
    : Buffer.from(
        await readOrGenerate(path.join(dir, 'secrets.key'), () => randomBytes(32).toString('base64'), log),
        'base64',
      );
  return {
    hmacKey,
    signingKey,
    publicKey: createPublicKey(signingKey),
    secretsKey: secretsKeyFrom(secretsMaterial),
  };
}

function generateSigningKey(): string {
  return generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
}

function normalizePem(value: string): string {
  if (value.includes('BEGIN')) return value;
  const body =
    value
      .replace(/\s+/g, '')
      .match(/.{1,64}/g)
      ?.join('\n') ?? '';
  return `-----BEGIN PRIVATE KEY-----\n${body}\n-----END PRIVATE KEY-----\n`;
}

async function readOrGenerate(file: string, generate: () => string, log: Logger): Promise<string> {
  if (existsSync(file)) return (await readFile(file, 'utf8')).trim();
  await mkdir(path.dirname(file), { recursive: true });
  const value = generate();
  await writeFile(file, value.endsWith('\n') ? value : `${value}\n`, { mode: 0o600, flag: 'wx' }).catch(
    async (error: NodeJS.ErrnoException) => {
      // Another process generated it first: use theirs.
      if (error.code !== 'EEXIST') throw error;
    },
  );
  log.info({ file }, 'generated a new key into the data directory');
  return (await readFile(file, 'utf8')).trim();
}

/**
 * Makes `pem` the signing key of the data directory; the key it replaces is kept beside it as
 * signing-key.<keyId>.retired.pem. Processes take the new key when they next start.
 */
export async function installSigningKey(config: Config, pem: string, retiredKeyId: string): Promise<string> {
  const dir = path.resolve(config.CASETRAIL_DATA_DIR);
  const file = path.join(dir, 'signing-key.pem');
  await mkdir(dir, { recursive: true });
  if (existsSync(file)) await rename(file, path.join(dir, `signing-key.${retiredKeyId}.retired.pem`));
  await writeFile(file, pem, { mode: 0o600, flag: 'wx' });
  return file;
}

export function newSigningKeyPem(): string {
  return generateSigningKey();
}
