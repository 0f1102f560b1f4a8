import type { Command } from 'commander';
import { createUser, newUserSchema } from '../../app/users.ts';
import { openRuntime } from '../../infra/runtime.ts';
import { CliError } from '../exit.ts';
import { printResult } from '../output.ts';

export function registerUsers(program: Command): void {
  const users = program.command('users').description('manage users and their API tokens');
  users
    .command('create')
    .description('create a user and print its API token once (the first admin is created this way)')
    .requiredOption('--name <name>', 'unique login name')
    .requiredOption('--roles <roles>', 'comma-separated roles: clerk, verifier, supervisor, admin')
    .option('--json', 'print { id, name, roles, token } as JSON')
    .action(async (options: { name: string; roles: string; json?: boolean }) => {
      const input = newUserSchema.safeParse({
        name: options.name,
        roles: options.roles
          .split(',')
          .map((r) => r.trim())
          .filter(Boolean),
      });
      if (!input.success) {
        throw new CliError(input.error.issues.map((i) => `--${String(i.path[0] ?? 'input')}: ${i.message}`).join('\n'));
      }
      const runtime = await openRuntime({ migrate: true, role: 'cli', oneShot: true });
      try {
        const created = await createUser({ pool: runtime.db.pool, prisma: runtime.db.prisma }, input.data);
        if (!created.ok) throw new CliError(`--${created.path}: ${created.detail}`);
        const { id, name, roles, token } = created.user;
        printResult(options, { id, name, roles, token }, () =>
          [
            `created user ${name} (${id}) with roles ${roles.join(', ')}`,
            `token (shown once, keep it safe):`,
            token,
          ].join('\n'),
        );
      } finally {
        await runtime.close();
      }
    });
}
