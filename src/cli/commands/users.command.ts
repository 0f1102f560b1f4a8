import type { Command } from 'commander';
import { lazyAction } from '../lazy.ts';

export function registerUsers(program: Command): void {
  const users = program.command('users').description('manage users and their API tokens');
  users
    .command('create')
    .description('create a user and print its API token once (the first admin is created this way)')
    .requiredOption('--name <name>', 'unique login name')
    .requiredOption('--roles <roles>', 'comma-separated roles: clerk, verifier, supervisor, admin')
    .option('--json', 'print { id, name, roles, token } as JSON')
    .action(lazyAction(() => import('./users.action.ts'), 'createUserCommand'));
}
