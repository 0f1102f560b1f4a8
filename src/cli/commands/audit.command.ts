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
    .option('--json', 'machine-readable report')
    .action(lazyAction(load, 'verifyAudit'));

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
