// The hand-written migrations must build exactly the database prisma/schema.prisma
// describes, since `prisma migrate diff` (which would check this) cannot run here.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrate, type MigrateResult } from '../../src/infra/db/migrator.ts';
import { createEmptyDatabase, type TestDatabase } from '../support/databases.ts';
import {
  readColumns,
  readForeignKeys,
  readIndexes,
  readTables,
  type ActualColumn,
  type ActualForeignKey,
  type ActualIndex,
} from '../support/pg-catalog.ts';
import { readSchema } from '../support/prisma-schema.ts';

const schema = readSchema();
/** Indexes of an expression, which schema.prisma cannot state (each named in a comment of its model). */
const EXPRESSION_INDEXES = new Set(['case_search_pairs_idx']);
const modelTables = new Set(schema.models.map((model) => model.table));

let db: TestDatabase;
let result: MigrateResult;
let tables: string[];
let columns: ActualColumn[];
let indexes: ActualIndex[];
let foreignKeys: ActualForeignKey[];

beforeAll(async () => {
  db = await createEmptyDatabase();
  result = await migrate(db.pool);
  [tables, columns, indexes, foreignKeys] = await Promise.all([
    readTables(db.pool),
    readColumns(db.pool),
    readIndexes(db.pool),
    readForeignKeys(db.pool),
  ]);
});
afterAll(() => db.drop());

describe('migrations applied to an empty database match prisma/schema.prisma', () => {
  it('has each index of an expression, on no column', () => {
    const found = indexes.filter((index) => EXPRESSION_INDEXES.has(index.name));
    expect(found.map((index) => [index.name, index.columns])).toEqual(
      [...EXPRESSION_INDEXES].map((name) => [name, []]),
    );
  });

  it('applies at least the init migration', () => {
    expect(result.applied).toContain('20261128000000_init');
    expect(result.skipped).toEqual([]);
  });

  it('has a table for every model and no table the schema lacks besides _prisma_migrations', () => {
    expect(tables.toSorted()).toEqual([...modelTables, '_prisma_migrations'].toSorted());
  });

  describe.each(schema.models)('model $name (table $table)', ({ table, columns: expected }) => {
    it.each(expected)('field $field is column $column of type $type, NOT NULL = $notNull', (field) => {
      const actual = columns.find((c) => c.table === table && c.column === field.column);
      expect(actual, `${table}.${field.column} is missing`).toBeDefined();
      expect({ type: actual?.type, notNull: actual?.notNull }).toEqual({ type: field.type, notNull: field.notNull });
      if (field.dbDefault) expect(actual?.hasDefault, `${table}.${field.column} needs a default`).toBe(true);
    });

    it('has no required column the schema lacks', () => {
      const known = new Set(expected.map((field) => field.column));
      const required = columns.filter((c) => c.table === table && !known.has(c.column) && c.notNull && !c.hasDefault);
      expect(required.map((c) => c.column)).toEqual([]);
    });
  });

  it('has every @id as the primary key and every @unique, @@unique and @@index under its Prisma name', () => {
    const actual = indexes.filter((index) => modelTables.has(index.table) && !EXPRESSION_INDEXES.has(index.name));
    expect(actual.toSorted(byName)).toEqual(schema.indexes.toSorted(byName));
  });

  it('has every relation as a foreign key with its referential actions, and no other', () => {
    expect(foreignKeys.toSorted(byName)).toEqual(schema.foreignKeys.toSorted(byName));
  });
});

function byName(a: { name: string }, b: { name: string }): number {
  return a.name.localeCompare(b.name);
}
