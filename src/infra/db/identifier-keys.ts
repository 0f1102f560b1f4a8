import type pg from 'pg';
import { decisionNoKey, userNameKey } from '../../domain/index.ts';

export interface KeyFillLogger {
  warn(obj: object, msg: string): void;
  info(obj: object, msg: string): void;
}

/** A keyed table: the rows whose key is missing, and how to compute and store it. */
type KeyedColumn = {
  what: string;
  select: string;
  update: string;
  key(value: string): string;
};

// The keys that identifier uniqueness rests on are computed in TypeScript (the domain's
// rules), so a migration that adds a key column cannot fill it: these fill the rows written
// before, once, when casetrail migrates. A row whose key an earlier row holds already (two
// identifiers that the old, exact comparison let through) keeps none and is logged.
const KEYED: readonly KeyedColumn[] = [
  {
    what: 'decision number',
    select:
      'SELECT id::text, decision_no AS value FROM cases WHERE decision_no IS NOT NULL AND decision_key IS NULL ORDER BY created_at, id',
    update: 'UPDATE cases SET decision_key = $2 WHERE id = $1 AND decision_key IS NULL',
    key: decisionNoKey,
  },
  {
    what: 'user name',
    select: 'SELECT id::text, name AS value FROM users WHERE name_key IS NULL ORDER BY created_at, id',
    update: 'UPDATE users SET name_key = $2 WHERE id = $1 AND name_key IS NULL',
    key: userNameKey,
  },
];

const UNIQUE_VIOLATION = '23505';

export async function fillIdentifierKeys(pool: pg.Pool, log: KeyFillLogger): Promise<void> {
  for (const column of KEYED) {
    const { rows } = await pool.query<{ id: string; value: string }>(column.select);
    let filled = 0;
    for (const row of rows) {
      try {
        await pool.query(column.update, [row.id, column.key(row.value)]);
        filled += 1;
      } catch (error) {
        if ((error as { code?: unknown }).code !== UNIQUE_VIOLATION) throw error;
        log.warn({ id: row.id, what: column.what }, 'identifier collides with an earlier one and keeps no key');
      }
    }
    if (filled > 0) log.info({ what: column.what, filled }, 'identifier keys filled');
  }
}
