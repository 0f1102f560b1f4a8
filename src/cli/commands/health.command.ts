import type { Command } from 'commander';
import { lazyAction } from '../lazy.ts';

export function registerHealth(program: Command): void {
  program
    .command('health')
    .description(
      "check that the configured PostgreSQL (DATABASE_URL, else the running casetrail's embedded one) and queue backend answer; exits 0 or 1 (container health checks)",
    )
    .option('--json', 'machine-readable output')
    .action(lazyAction(() => import('./health.action.ts'), 'runHealth'));
}
