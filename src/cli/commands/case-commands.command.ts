import { type Command, Option } from 'commander';
import { lazyAction } from '../lazy.ts';
import { CASE_COMMANDS, type CaseCommandName, type Flag } from './case-commands.table.ts';

const load = () => import('./case-commands.action.ts');

const collect = (value: string, previous: string[] = []) => [...previous, value];

export function registerCaseCommands(cases: Command): void {
  for (const [name, spec] of Object.entries(CASE_COMMANDS) as [
    CaseCommandName,
    (typeof CASE_COMMANDS)[CaseCommandName],
  ][]) {
    const command = cases.command(name).description(spec.description).argument('<id>', 'case id');
    for (const flag of spec.flags as readonly Flag[]) {
      const option = new Option(flag.flags, flag.description);
      if (flag.choices) option.choices(flag.choices);
      if (flag.repeatable) option.argParser(collect);
      command.addOption(option);
    }
    command
      .option('--json-input <file>', 'the request body as JSON, from a file or - for stdin (flags override its fields)')
      .option('--expected-version <n>', 'refuse (409) unless the case is at this version')
      .option('--idempotency-key <key>', 'the same key and body give the same answer and no second command')
      .option('--wait', 'wait until a worker has applied or rejected the command')
      .option('--timeout <seconds>', 'with --wait: give up after this long', '60')
      .option('--api-url <url>', 'casetrail API (default CASETRAIL_API_URL or http://127.0.0.1:3000)')
      .option('--token <token>', 'API token (default CASETRAIL_TOKEN)')
      .option('--json', 'machine-readable output')
      .action(lazyAction(load, 'runCaseCommand').bind(null, name));
  }
}
