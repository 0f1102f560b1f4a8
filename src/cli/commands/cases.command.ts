import type { Command } from 'commander';
import { lazyAction } from '../lazy.ts';
import { registerCaseCommands } from './case-commands.command.ts';

const load = () => import('./cases.action.ts');

const apiOptions = (command: Command) =>
  command
    .option('--api-url <url>', 'casetrail API (default CASETRAIL_API_URL or http://127.0.0.1:3000)')
    .option('--token <token>', 'API token (default CASETRAIL_TOKEN)')
    .option('--json', 'machine-readable output');

export function registerCases(program: Command): void {
  apiOptions(
    program
      .command('submit')
      .description('submit a report as a clerk (the body of POST /v1/cases, read from a JSON file)')
      .requiredOption('--file <path>', 'JSON file with { item, report, claim, category, priority? }')
      .option('--wait', 'wait until the case is created (the default)', true)
      .option('--no-wait', 'return as soon as the command is accepted'),
  ).action(lazyAction(load, 'submitCase'));

  const cases = program.command('cases').description('read cases and run their commands through the API');
  apiOptions(
    cases
      .command('list')
      .description('list cases visible to the token, newest first')
      .option('--stage <stage>', 'received, verified, referred, penalty_issued or closed')
      .option('--outcome <outcome>', 'outcome of closed cases')
      .option('--q <text>', 'search reference, URL and claim')
      .option('--limit <n>', 'page size (1-200)', '50'),
  ).action(lazyAction(load, 'listCases'));
  apiOptions(cases.command('show').description('show one case').argument('<id>', 'case id')).action(
    lazyAction(load, 'showCase'),
  );
  registerCaseCommands(cases);
}
