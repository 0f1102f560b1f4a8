import type pg from 'pg';

/** Every table of the database (its own schema and the queues') with a row that, as text, holds the string. */
export async function tablesHolding(pool: pg.Pool, value: string): Promise<string[]> {
  const { rows: tables } = await pool.query<{ schema: string; name: string }>(
    "SELECT table_schema AS schema, table_name AS name FROM information_schema.tables WHERE table_schema IN ('public', 'bullmq') AND table_type = 'BASE TABLE'",
  );
  const holding: string[] = [];
  for (const { schema, name } of tables) {
    const { rows } = await pool.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM "${schema}"."${name}" t WHERE t::text LIKE '%' || $1 || '%'`,
      [value],
    );
    if ((rows[0]?.n ?? 0) > 0) holding.push(`${schema}.${name}`);
  }
  return holding;
}
