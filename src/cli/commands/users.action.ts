import { z } from 'zod';
import {
  createUser,
  listUsers,
  newUserSchema,
  updateUser,
  userPatchSchema,
  verifyUserTrail,
  type UserView,
  type UsersDeps,
} from '../../app/users.ts';
import { openRuntime } from '../../infra/runtime.ts';
import { CliError, EXIT } from '../exit.ts';
import { printResult } from '../output.ts';

type Json = { json?: boolean };

const rolesOf = (roles: string | undefined) =>
  roles
    ?.split(',')
    .map((r) => r.trim())
    .filter(Boolean);

/** zod issues as the options they concern: `--roles: Invalid option...`. */
function usage(error: z.ZodError, names: Record<string, string> = {}): CliError {
  return new CliError(
    error.issues
      .map((i) => {
        const field = String(i.path[0] ?? 'input');
        return `--${names[field] ?? field}: ${i.message}`;
      })
      .join('\n'),
  );
}

/** Runs fn with the users' dependencies of a one-shot command (migrating first). */
export async function withUsers<T>(fn: (deps: UsersDeps) => Promise<T>): Promise<T> {
  const runtime = await openRuntime({ migrate: true, role: 'cli', oneShot: true });
  try {
    return await fn({ pool: runtime.db.pool, tokenLifetimeMs: runtime.config.CASETRAIL_TOKEN_LIFETIME });
  } finally {
    await runtime.close();
  }
}

const idSchema = z.uuid();

export function parseId(id: string, what: string): string {
  const parsed = idSchema.safeParse(id);
  if (!parsed.success) throw new CliError(`${what}: not a uuid: ${id}`);
  return parsed.data;
}

const describeUser = (u: UserView) =>
  `${u.id}  ${u.name}  ${u.roles.join(',')}${u.disabled ? `  disabled since ${u.disabledAt}` : ''}`;

export async function listUsersCommand(options: Json): Promise<void> {
  const users = await withUsers((deps) => listUsers(deps));
  printResult(options, { items: users }, () => (users.length === 0 ? 'no users' : users.map(describeUser).join('\n')));
}

export async function createUserCommand(options: { name: string; roles: string } & Json): Promise<void> {
  const input = newUserSchema.safeParse({ name: options.name, roles: rolesOf(options.roles) });
  if (!input.success) throw usage(input.error);
  const created = await withUsers((deps) => createUser(deps, input.data));
  if (!created.ok) throw new CliError(`--${created.path}: ${created.detail}`);
  const { id, name, roles, token, tokenId, expiresAt } = created.user;
  printResult(options, { id, name, roles, token, tokenId, expiresAt }, () =>
    [
      `created user ${name} (${id}) with roles ${roles.join(', ')}`,
      `token ${tokenId}${expiresAt === null ? '' : `, expires ${expiresAt}`} (shown once, keep it safe):`,
      token,
    ].join('\n'),
  );
}

async function patchUser(id: string, patch: unknown, options: Json, done: string): Promise<void> {
  const userId = parseId(id, 'user id');
  const parsed = userPatchSchema.safeParse(patch);
  if (!parsed.success) throw usage(parsed.error, { disabled: 'enable' });
  const result = await withUsers((deps) => updateUser(deps, userId, parsed.data));
  if (!result.ok) throw new CliError(result.code === 'name_taken' ? `--name: ${result.detail}` : result.detail);
  printResult(options, result.user, () => `${done}: ${describeUser(result.user)}`);
}

export async function updateUserCommand(
  id: string,
  options: { name?: string; roles?: string; enable?: boolean } & Json,
): Promise<void> {
  const roles = rolesOf(options.roles);
  const patch = {
    ...(options.name === undefined ? {} : { name: options.name }),
    ...(roles === undefined ? {} : { roles }),
    ...(options.enable === true ? { disabled: false } : {}),
  };
  await patchUser(id, patch, options, 'updated');
}

export async function disableUserCommand(id: string, options: Json): Promise<void> {
  await patchUser(id, { disabled: true }, options, 'disabled');
}

export async function verifyUsersCommand(options: Json): Promise<void> {
  const report = await withUsers((deps) => verifyUserTrail(deps));
  printResult(options, report, () =>
    report.ok
      ? `user trail ok: ${report.users} users, ${report.events} events`
      : `user trail BROKEN at user ${report.failure.userId} seq ${report.failure.seq}: ${report.failure.reason}`,
  );
  if (!report.ok) process.exitCode = EXIT.checkFailed;
}
