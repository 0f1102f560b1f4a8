import type { Command } from 'commander';
import { lazyAction } from '../lazy.ts';

export function registerMigrate(program: Command): void {
  program
    .command('migrate')
    .description(
      "apply the SQL migrations in prisma/migrations (idempotent), as CASETRAIL_MIGRATION_DATABASE_URL's role when set, then grant DATABASE_URL's role (created when missing)",
    )
    .option('--json', 'machine-readable output')
    .action(lazyAction(() => import('./migrate.action.ts'), 'runMigrate'));
}
