// What the database actually has, read from pg_catalog for the current schema.
import type pg from 'pg';

export interface ActualColumn {
  table: string;
  column: string;
  type: string;
  notNull: boolean;
  hasDefault: boolean;
}

export interface ActualIndex {
  name: string;
  table: string;
  columns: string[];
  kind: 'primary' | 'unique' | 'index';
}

export interface ActualForeignKey {
  name: string;
  table: string;
  columns: string[];
  referencedTable: string;
  referencedColumns: string[];
  onDelete: string;
  onUpdate: string;
}

type Queryable = Pick<pg.Pool, 'query'>;

export async function readTables(db: Queryable): Promise<string[]> {
  const { rows } = await db.query<{ table: string }>(
    `SELECT relname AS table FROM pg_class
      WHERE relnamespace = current_schema()::regnamespace AND relkind IN ('r', 'p') ORDER BY 1`,
  );
  return rows.map((row) => row.table);
}

export async function readColumns(db: Queryable): Promise<ActualColumn[]> {
  const { rows } = await db.query<ActualColumn>(
    `SELECT c.relname AS table, a.attname AS column, format_type(a.atttypid, a.atttypmod) AS type,
            a.attnotnull AS "notNull", (a.atthasdef OR a.attidentity <> '' OR a.attgenerated <> '') AS "hasDefault"
       FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
      WHERE c.relnamespace = current_schema()::regnamespace AND c.relkind IN ('r', 'p')
        AND a.attnum > 0 AND NOT a.attisdropped
      ORDER BY 1, a.attnum`,
  );
  return rows;
}

export async function readIndexes(db: Queryable): Promise<ActualIndex[]> {
  const { rows } = await db.query<ActualIndex>(
    `SELECT i.relname AS name, t.relname AS table,
            CASE WHEN x.indisprimary THEN 'primary' WHEN x.indisunique THEN 'unique' ELSE 'index' END AS kind,
            array(SELECT a.attname::text FROM unnest(x.indkey::int2[]) WITH ORDINALITY k(attnum, n)
                    JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = k.attnum ORDER BY k.n) AS columns
       FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_class t ON t.oid = x.indrelid
      WHERE t.relnamespace = current_schema()::regnamespace
      ORDER BY 1`,
  );
  return rows;
}

const ACTIONS: Record<string, string> = { a: 'NoAction', r: 'Restrict', c: 'Cascade', n: 'SetNull', d: 'SetDefault' };

export async function readForeignKeys(db: Queryable): Promise<ActualForeignKey[]> {
  const { rows } = await db.query<Omit<ActualForeignKey, 'onDelete' | 'onUpdate'> & { del: string; upd: string }>(
    `SELECT k.conname AS name, t.relname AS table, r.relname AS "referencedTable",
            k.confdeltype AS del, k.confupdtype AS upd,
            array(SELECT a.attname::text FROM unnest(k.conkey) WITH ORDINALITY c(attnum, n)
                    JOIN pg_attribute a ON a.attrelid = k.conrelid AND a.attnum = c.attnum ORDER BY c.n) AS columns,
            array(SELECT a.attname::text FROM unnest(k.confkey) WITH ORDINALITY c(attnum, n)
                    JOIN pg_attribute a ON a.attrelid = k.confrelid AND a.attnum = c.attnum ORDER BY c.n) AS "referencedColumns"
       FROM pg_constraint k JOIN pg_class t ON t.oid = k.conrelid JOIN pg_class r ON r.oid = k.confrelid
      WHERE k.contype = 'f' AND t.relnamespace = current_schema()::regnamespace
      ORDER BY 1`,
  );
  return rows.map(({ del, upd, ...fk }) => ({ ...fk, onDelete: ACTIONS[del] ?? del, onUpdate: ACTIONS[upd] ?? upd }));
}
