import type { Command } from 'commander';
import { lazyAction } from '../lazy.ts';

const load = () => import('./audit.action.ts');

export function registerAudit(program: Command): void {
  const audit = program.command('audit').description('verify and export the tamper-evident audit trail');

  audit
    .command('verify')
    .description(
      'recompute every chain, case row, checkpoint and tree head from the database, or check an exported bundle offline; exit 0 when all holds, 1 naming the first broken case and seq, 3 when a bundle holds but no key was pinned',
    )
    .option('--case <id>', 'verify one case (and the checkpoints that sealed it)')
    .option(
      '--since <state>',
      'verify only what the Merkle log took in after the tree head kept in this file (the whole log when the file does not exist yet), then keep the newest head there',
    )
    .option(
      '--bundle <file>',
      'verify an exported bundle offline (JSON, or the zip of ?files=true, whose every file is checked against its hash): no database, no configuration needed',
    )
    .option(
      '--public-key <file>',
      'trust only this Ed25519 public key (PEM, 64 hex characters, or the JSON of GET /v1/audit/public-key)',
    )
    .option(
      '--trusted-keys <file>',
      'with --bundle: trust the keys of this file (the JSON of /.well-known/casetrail-keys.json, or an array of key ids) and the keys they introduced',
    )
    .option(
      '--tsa-cert <file>',
      "with --bundle: check the bundle's RFC 3161 time stamp offline against this time-stamp authority certificate (PEM)",
    )
    .option('--json', 'machine-readable report')
    .action(lazyAction(load, 'verifyAudit'));

  audit
    .command('monitor')
    .description(
      'an outside witness of the Merkle log: fetch the newest signed tree head, check it is consistent with the last one kept in --state, keep it; exit 1 naming both sizes on a fork or a rollback, 3 when no key is pinned. One pass per run',
    )
    .requiredOption('--state <dir>', 'where the last verified tree head and the pinned keys are kept')
    .requiredOption('--api-url <url>', 'the casetrail API to watch (no token needed)')
    .option('--public-key <file>', 'pin this Ed25519 public key (first run; kept in --state)')
    .option(
      '--trusted-keys <file>',
      'pin the keys of this file (the JSON of /.well-known/casetrail-keys.json, or an array of key ids)',
    )
    .option('--json', 'machine-readable report')
    .action(lazyAction(() => import('./audit-monitor.action.ts'), 'monitorAudit'));

  audit
    .command('export')
    .description('export a case as a signed bundle through the API (supervisor token; the export is access-logged)')
    .argument('<case>', 'case id')
    .option('--out <file>', 'write the bundle here (default: standard output)')
    .option('--purpose <text>', 'why you export it (kept in the access log)')
    .option('--api-url <url>', 'casetrail API (default CASETRAIL_API_URL or http://127.0.0.1:3000)')
    .option('--token <token>', 'API token (default CASETRAIL_TOKEN)')
    .option('--json', 'with --out: print a JSON summary')
    .action(lazyAction(load, 'exportCase'));
}
