import type { Command } from 'commander';
import { lazyAction } from '../lazy.ts';

export function registerKeys(program: Command): void {
  const keys = program.command('keys').description('the keys that sign the audit trail');
  keys
    .command('rotate')
    .description(
      'introduce a new signing key, signed by the current one (old checkpoints and tree heads stay verifiable under their key); processes sign with it from their next start',
    )
    .option(
      '--new-key <file>',
      'the new Ed25519 private key (PEM); needed when CASETRAIL_SIGNING_KEY sets the key, which you then set to this one. Default: generated into the data directory',
    )
    .option('--json', 'machine-readable output')
    .action(lazyAction(() => import('./keys.action.ts'), 'rotateKeys'));
}
