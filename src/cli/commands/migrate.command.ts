import type { Command } from 'commander';
import { lazyAction } from '../lazy.ts';

export function registerMigrate(program: Command): void {
  program
    .command('migrate')
    .description('apply the SQL migrations in prisma/migrations (idempotent)')
    .option('--json', 'machine-readable output')
    .action(lazyAction(() => import('./migrate.action.ts'), 'runMigrate'));
}
