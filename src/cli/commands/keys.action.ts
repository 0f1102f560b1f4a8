import { createPrivateKey, type KeyObject } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { rotateSigningKey } from '../../app/signing-keys.ts';
import { installSigningKey, newSigningKeyPem } from '../../infra/config/secrets.ts';
import { openRuntime } from '../../infra/runtime.ts';
import { CliError } from '../exit.ts';
import { printResult } from '../output.ts';

export async function rotateKeys(flags: { newKey?: string; json?: boolean }): Promise<void> {
  const given = flags.newKey === undefined ? undefined : await readPrivateKey(flags.newKey);
  const runtime = await openRuntime({ migrate: true, role: 'cli', oneShot: true });
  try {
    if (runtime.config.CASETRAIL_SIGNING_KEY !== undefined && given === undefined)
      throw new CliError(
        'the signing key comes from CASETRAIL_SIGNING_KEY: give the new key with --new-key FILE, then set CASETRAIL_SIGNING_KEY to it',
      );
    const pem = given?.pem ?? newSigningKeyPem();
    const next = given?.key ?? createPrivateKey(pem);
    // The trail records the introduction first: a key that signs is always one it lists.
    const introduced = await rotateSigningKey(runtime.db.pool, runtime.secrets, next);
    const file =
      runtime.config.CASETRAIL_SIGNING_KEY === undefined
        ? await installSigningKey(runtime.config, pem, introduced.introducedBy as string)
        : null;
    const output = {
      keyId: introduced.keyId,
      previousKeyId: introduced.introducedBy,
      validFrom: introduced.validFrom,
      file,
    };
    printResult(flags, output, () =>
      [
        `introduced key ${output.keyId}, signed by key ${output.previousKeyId}`,
        file === null
          ? 'set CASETRAIL_SIGNING_KEY to the new key and restart every casetrail process'
          : `wrote it to ${file}; restart every casetrail process to sign with it`,
      ].join('\n'),
    );
  } finally {
    await runtime.close();
  }
}

async function readPrivateKey(file: string): Promise<{ key: KeyObject; pem: string }> {
  try {
    const pem = await readFile(file, 'utf8');
    const key = createPrivateKey(pem);
    if (key.asymmetricKeyType !== 'ed25519') throw new Error('not an Ed25519 key');
    return { key, pem };
  } catch (error) {
    throw new CliError(`--new-key: ${file} holds no Ed25519 private key (${(error as Error).message})`);
  }
}
