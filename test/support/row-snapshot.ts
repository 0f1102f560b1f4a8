// A fingerprint of every row of the tables that hold the record, to prove that a refused
// request changed nothing. Columns that change on every authenticated request by design
// (a token's last use) are left out; so are tables that background work writes on its own
// schedule (the outbox, checkpoints, queue tables).
import type pg from 'pg';

const RECORD_TABLES = [
  'users',
  'api_tokens',
  'cases',
  'case_personal_data',
  'case_personal_values',
  'events',
  'access_log',
  'webhook_endpoints',
] as const;

/** Sequences whose position is part of the record: a refused request draws no case reference. */
const RECORD_SEQUENCES = ['case_references'] as const;

const VOLATILE_COLUMNS = ['last_used_at'];

export type RowSnapshot = {
  /** md5 of each record table's rows (as JSON, sorted). */
  tables: Record<string, string>;
  /** Every command: id → status and problem code. */
  commands: Map<string, string>;
};

export async function takeSnapshot(pool: pg.Pool): Promise<RowSnapshot> {
  const tables: Record<string, string> = {};
  for (const table of RECORD_TABLES) {
    const { rows } = await pool.query<{ digest: string }>(
      `SELECT md5(coalesce(string_agg(r, E'\\n' ORDER BY r), '')) AS digest
         FROM (SELECT (to_jsonb(t) - $1::text[])::text AS r FROM ${table} t) rows`,
      [VOLATILE_COLUMNS],
    );
    tables[table] = rows[0]?.digest ?? '';
  }
  for (const sequence of RECORD_SEQUENCES) {
    const { rows } = await pool.query<{ position: string }>(
      `SELECT last_value || ' ' || is_called AS position FROM ${sequence}`,
    );
    tables[sequence] = rows[0]?.position ?? '';
  }
  const { rows } = await pool.query<{ id: string; state: string }>(
    "SELECT id, status || coalesce(' ' || (problem->>'code'), '') AS state FROM commands",
  );
  return { tables, commands: new Map(rows.map((r) => [r.id, r.state])) };
}

/**
 * What changed between two snapshots: the record tables that differ, and the commands that
 * are new or whose state moved.
 */
export function changesBetween(
  before: RowSnapshot,
  after: RowSnapshot,
): { tables: string[]; newCommands: string[]; changedCommands: string[] } {
  const tables = [...RECORD_TABLES, ...RECORD_SEQUENCES].filter((t) => before.tables[t] !== after.tables[t]);
  const newCommands = [...after.commands].filter(([id]) => !before.commands.has(id)).map(([, state]) => state);
  const changedCommands = [...before.commands]
    .filter(([id, state]) => after.commands.get(id) !== state)
    .map(([id]) => id);
  return { tables, newCommands, changedCommands };
}
