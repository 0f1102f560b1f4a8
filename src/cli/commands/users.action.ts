import { createUser, newUserSchema } from '../../app/users.ts';
import { openRuntime } from '../../infra/runtime.ts';
import { CliError } from '../exit.ts';
import { printResult } from '../output.ts';

export async function createUserCommand(options: { name: string; roles: string; json?: boolean }): Promise<void> {
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
      [`created user ${name} (${id}) with roles ${roles.join(', ')}`, `token (shown once, keep it safe):`, token].join(
        '\n',
      ),
    );
  } finally {
    await runtime.close();
  }
}
