import type { Command } from 'commander';
import { MIN_DEMO_CASES } from '../demo/demo-plan.ts';
import { lazyAction } from '../lazy.ts';

export function registerDemo(program: Command): void {
  program
    .command('demo')
    .description(
      "fill a running casetrail with a province's half year: past cases imported, then recent ones in every stage and outcome driven through its HTTP API (safe to run again: each run adds its own cases and users)",
    )
    .option('--cases <n>', `how many cases (at least ${MIN_DEMO_CASES})`, '300')
    .option('--history <n>', 'past cases of the half year before, imported first (0: none)', '600')
    .option('--concurrency <n>', 'cases driven at once', '8')
    .option('--api-url <url>', 'casetrail API (default CASETRAIL_API_URL or http://127.0.0.1:3000)')
    .option(
      '--token <token>',
      'an admin token: demo users are created through the API (default CASETRAIL_TOKEN; without one they are created in the database, as `users create` does)',
    )
    .option('--json', 'machine-readable summary')
    .action(lazyAction(() => import('./demo.action.ts'), 'runDemoCommand'));
}
