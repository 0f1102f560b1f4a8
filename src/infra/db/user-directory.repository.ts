import type pg from 'pg';
import { Params, scopeSql, type CaseScope } from './case-query.repository.ts';

export type UserName = { id: string; name: string };

/**
 * Login names of the users among these ids (unknown ids are left out) whom the reader may
 * see: the reader, and whoever acted on a case of the scope (every event has its actor:
 * the submitter, a claimant, a verifier...). With scope `all`, every user.
 */
export async function selectUserNames(
  pool: pg.Pool,
  ids: readonly string[],
  reader: { id: string; scope: CaseScope },
): Promise<UserName[]> {
  const params = new Params();
  const idsParam = params.add(ids);
  const visible = reader.scope.all
    ? 'TRUE'
    : `(u.id = ${params.add(reader.id)} OR EXISTS (
         SELECT 1 FROM cases JOIN events e ON e.case_id = cases.id
         WHERE e.actor_id = u.id::text AND ${scopeSql(reader.scope, params)}))`;
  const { rows } = await pool.query<UserName>(
    `SELECT u.id, u.name FROM users u WHERE u.id = ANY(${idsParam}::uuid[]) AND ${visible} ORDER BY u.name, u.id`,
    params.values,
  );
  return rows;
}
