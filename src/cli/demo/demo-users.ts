import { createUser } from '../../app/users.ts';
import type { Role } from '../../domain/index.ts';
import { openRuntime } from '../../infra/runtime.ts';
import { CliError, EXIT } from '../exit.ts';
import { DEMO_TEAM, type DemoRole } from './demo-plan.ts';
import { DemoAbort, request, type DemoTokens } from './demo-runner.ts';

/** A demo user and its token, shown once at the end of the run. */
export type DemoUser = { name: string; role: DemoRole; token: string };

const ROLES_IN_ORDER: readonly DemoRole[] = ['clerk', 'verifier', 'supervisor'];

/** Fresh names per run: a second run never collides with the first. */
function demoUserNames(runTag: string): { name: string; role: DemoRole }[] {
  return ROLES_IN_ORDER.flatMap((role) =>
    Array.from({ length: DEMO_TEAM[role] }, (_, i) => ({
      name: `demo-${runTag.toLowerCase()}-${role}-${i + 1}`,
      role,
    })),
  );
}

/** Through POST /v1/users, with an admin token: works against any running casetrail. */
export async function createDemoUsersViaApi(apiUrl: string, adminToken: string, runTag: string): Promise<DemoUser[]> {
  const users: DemoUser[] = [];
  for (const { name, role } of demoUserNames(runTag)) {
    const answer = await request(apiUrl, adminToken, 'POST', '/v1/users', { name, roles: [role] }).catch(
      (error: unknown) => {
        if (error instanceof DemoAbort && error.reason === 'refused')
          throw new CliError(
            `the admin token (--token or CASETRAIL_TOKEN) was refused: ${error.message}`,
            EXIT.checkFailed,
          );
        throw error;
      },
    );
    if (answer.status !== 201 || typeof answer.body?.token !== 'string') {
      const code = typeof answer.body?.code === 'string' ? answer.body.code : answer.status;
      throw new CliError(
        `creating the demo users needs an admin token (--token or CASETRAIL_TOKEN); the API answered ${code}`,
        EXIT.checkFailed,
      );
    }
    users.push({ name, role, token: answer.body.token });
  }
  return users;
}

/**
 * Without a token: the users use case on the database this configuration names (as
 * `casetrail users create` does), which is the running system's own when both share
 * the data directory or DATABASE_URL.
 */
export async function createDemoUsersInDatabase(runTag: string): Promise<DemoUser[]> {
  const runtime = await openRuntime({ migrate: false, role: 'cli', oneShot: true });
  try {
    const users: DemoUser[] = [];
    for (const { name, role } of demoUserNames(runTag)) {
      const created = await createUser(
        { pool: runtime.db.pool, prisma: runtime.db.prisma },
        { name, roles: [role as Role] },
      );
      if (!created.ok) throw new CliError(`demo user ${name}: ${created.detail}`);
      users.push({ name, role, token: created.user.token });
    }
    return users;
  } finally {
    await runtime.close();
  }
}

export function tokensByRole(users: readonly DemoUser[]): DemoTokens {
  const byRole = (role: DemoRole) => users.filter((u) => u.role === role).map((u) => u.token);
  return { clerk: byRole('clerk'), verifier: byRole('verifier'), supervisor: byRole('supervisor') };
}
