import type pg from 'pg';
import type { Actor } from '../domain/index.ts';
import { selectUserNames, type UserName } from '../infra/db/user-directory.repository.ts';
import { scopeOf } from './case-queries.ts';

export type DirectoryDeps = { pool: pg.Pool };

/**
 * Staff names behind the actor ids of events, claims and the access log, so that a reader
 * sees who acted. A clerk or verifier resolves only the people on cases they can read (the
 * same rule as canSeeCase) and themselves, so that ids cannot be turned into a staff list;
 * supervisors read every case, and admins manage the users: they resolve anyone.
 */
export async function namesOfUsers(deps: DirectoryDeps, actor: Actor, ids: readonly string[]): Promise<UserName[]> {
  const scope = actor.roles.includes('admin') ? ({ all: true } as const) : scopeOf(actor);
  return selectUserNames(deps.pool, [...new Set(ids)], { id: actor.id, scope });
}
