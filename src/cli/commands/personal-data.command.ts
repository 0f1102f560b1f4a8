import type { Command } from 'commander';
import { lazyAction } from '../lazy.ts';

export function registerPersonalData(program: Command): void {
  const personal = program
    .command('personal-data')
    .description('manage the personal data kept apart from the audit trail');
  personal
    .command('erase')
    .description(
      "erase a case's personal data (retention, a court order) and record the erasure and its reason in the case's trail; chains and checkpoints stay verifiable",
    )
    .requiredOption('--case <id>', 'case id')
    .requiredOption('--reason <text>', 'why (kept in the trail: write no personal data here)')
    .option(
      '--reference <ref...>',
      'redact only these values: their personal references (pd: and 64 hex characters) as the events hold them',
    )
    .option('--json', 'machine-readable output')
    .action(lazyAction(() => import('./personal-data.action.ts'), 'erasePersonalDataCommand'));
}
