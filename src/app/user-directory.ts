import type pg from 'pg';
import type { Actor } from '../domain/index.ts';
import { selectUserNames, type UserName } from '../infra/db/user-directory.repository.ts';

export type DirectoryDeps = { pool: pg.Pool };

/**
 * Staff names behind the actor ids of events, claims and the access log, so that a reader
 * sees who acted. Login names of casetrail's own users are not personal data of the
 * people a case is about; still, admins (no case access) get nothing here.
 */
export async function namesOfUsers(
  deps: DirectoryDeps,
  actor: Actor,
  ids: readonly string[],
): Promise<{ ok: true; items: UserName[] } | { ok: false; code: 'forbidden'; detail: string }> {
  if (!actor.roles.some((role) => role !== 'admin')) {
    return { ok: false, code: 'forbidden', detail: 'user names need the clerk, verifier or supervisor role' };
  }
  return { ok: true, items: await selectUserNames(deps.pool, [...new Set(ids)]) };
}
