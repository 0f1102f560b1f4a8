import type pg from 'pg';

export type UserName = { id: string; name: string };

/** Login names of the users among these ids (unknown ids are left out). */
export async function selectUserNames(pool: pg.Pool, ids: readonly string[]): Promise<UserName[]> {
  const { rows } = await pool.query<UserName>(
    'SELECT id, name FROM users WHERE id = ANY($1::uuid[]) ORDER BY name, id',
    [ids],
  );
  return rows;
}
