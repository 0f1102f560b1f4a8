// What prisma/schema.prisma asks of the database, read with Prisma's own parser
// (@prisma/prisma-schema-wasm, the same Wasm build the installed Prisma CLI bundles) and
// translated with Prisma's PostgreSQL type mapping and constraint naming rules.
import { readFileSync } from 'node:fs';
import { get_dmmf } from '@prisma/prisma-schema-wasm';

const SCHEMA_PATH = new URL('../../prisma/schema.prisma', import.meta.url);

interface DmmfField {
  name: string;
  dbName?: string | null;
  kind: 'scalar' | 'object' | 'enum' | 'unsupported';
  isList: boolean;
  isRequired: boolean;
  hasDefaultValue: boolean;
  default?: unknown;
  type: string;
  nativeType: [string, string[]] | null;
  relationFromFields?: string[];
  relationToFields?: string[];
  relationOnDelete?: string;
  relationOnUpdate?: string;
}

interface DmmfModel {
  name: string;
  dbName: string | null;
  fields: DmmfField[];
}

interface DmmfIndex {
  model: string;
  type: 'id' | 'unique' | 'normal' | 'fulltext';
  dbName?: string | null;
  fields: { name: string }[];
}

interface Dmmf {
  datamodel: { models: DmmfModel[]; indexes: DmmfIndex[] };
}

interface ExpectedColumn {
  field: string;
  column: string;
  /** As PostgreSQL's format_type() prints it. */
  type: string;
  notNull: boolean;
  /** A default the database must supply (Prisma's client-side defaults such as uuid() excluded). */
  dbDefault: boolean;
}

export interface ExpectedIndex {
  name: string;
  table: string;
  columns: string[];
  kind: 'primary' | 'unique' | 'index';
}

export interface ExpectedForeignKey {
  name: string;
  table: string;
  columns: string[];
  referencedTable: string;
  referencedColumns: string[];
  onDelete: string;
  onUpdate: string;
}

export interface ExpectedModel {
  name: string;
  table: string;
  columns: ExpectedColumn[];
}

const CLIENT_SIDE_DEFAULTS = new Set(['uuid', 'cuid', 'nanoid', 'ulid']);
const MAX_IDENTIFIER = 63;

export function readSchema(): { models: ExpectedModel[]; indexes: ExpectedIndex[]; foreignKeys: ExpectedForeignKey[] } {
  const source = readFileSync(SCHEMA_PATH, 'utf8');
  const dmmf = JSON.parse(get_dmmf(JSON.stringify({ prismaSchema: [['schema.prisma', source]] }))) as Dmmf;
  const byName = new Map(dmmf.datamodel.models.map((model) => [model.name, model]));
  const tableOf = (model: DmmfModel) => model.dbName ?? model.name;
  const columnOf = (model: DmmfModel, fieldName: string) => {
    const field = model.fields.find((f) => f.name === fieldName);
    if (!field) throw new Error(`${model.name}.${fieldName} not found`);
    return field.dbName ?? field.name;
  };
  const model = (name: string) => {
    const found = byName.get(name);
    if (!found) throw new Error(`model ${name} not found`);
    return found;
  };

  const models = dmmf.datamodel.models.map((m) => ({
    name: m.name,
    table: tableOf(m),
    columns: m.fields
      .filter((f) => f.kind === 'scalar')
      .map((f) => ({
        field: f.name,
        column: f.dbName ?? f.name,
        type: postgresType(f),
        // Lists are never null to Prisma's client; the migration makes the columns agree.
        notNull: f.isRequired || f.isList,
        dbDefault: f.hasDefaultValue && !isClientSideDefault(f.default),
      })),
  }));

  const suffixes = { id: 'pkey', unique: 'key', normal: 'idx', fulltext: 'idx' } as const;
  const kinds = { id: 'primary', unique: 'unique', normal: 'index', fulltext: 'index' } as const;
  const indexes = dmmf.datamodel.indexes.map((index) => {
    const m = model(index.model);
    const columns = index.fields.map((f) => columnOf(m, f.name));
    const table = tableOf(m);
    const name = index.dbName ?? constraintName(table, index.type === 'id' ? [] : columns, suffixes[index.type]);
    return { name, table, columns, kind: kinds[index.type] };
  });

  const foreignKeys = dmmf.datamodel.models.flatMap((m) =>
    m.fields
      .filter((f) => f.kind === 'object' && (f.relationFromFields?.length ?? 0) > 0)
      .map((f) => {
        const target = model(f.type);
        const columns = (f.relationFromFields ?? []).map((name) => columnOf(m, name));
        const required = (f.relationFromFields ?? []).every(
          (name) => m.fields.find((x) => x.name === name)?.isRequired,
        );
        return {
          name: constraintName(tableOf(m), columns, 'fkey'),
          table: tableOf(m),
          columns,
          referencedTable: tableOf(target),
          referencedColumns: (f.relationToFields ?? []).map((name) => columnOf(target, name)),
          // Prisma's defaults when the schema names no action.
          onDelete: f.relationOnDelete ?? (required ? 'Restrict' : 'SetNull'),
          onUpdate: f.relationOnUpdate ?? 'Cascade',
        };
      }),
  );
  return { models, indexes, foreignKeys };
}

function constraintName(table: string, columns: string[], suffix: string): string {
  const name = [table, ...columns, suffix].join('_');
  // Prisma shortens longer names; teach this function its rule before relying on one.
  if (name.length > MAX_IDENTIFIER)
    throw new Error(`default constraint name ${name} exceeds ${MAX_IDENTIFIER} characters`);
  return name;
}

function isClientSideDefault(value: unknown): boolean {
  return typeof value === 'object' && value !== null && 'name' in value && CLIENT_SIDE_DEFAULTS.has(String(value.name));
}

// Prisma's PostgreSQL mapping of scalar types and the native types this schema uses.
function postgresType(field: DmmfField): string {
  const [native, args = []] = field.nativeType ?? [];
  const base = (() => {
    switch (`${field.type}:${native ?? ''}`) {
      case 'String:':
        return 'text';
      case 'String:Uuid':
        return 'uuid';
      case 'Int:':
        return 'integer';
      case 'Int:SmallInt':
        return 'smallint';
      case 'BigInt:':
        return 'bigint';
      case 'Bytes:':
        return 'bytea';
      case 'Boolean:':
        return 'boolean';
      case 'Json:':
        return 'jsonb';
      case 'DateTime:':
        return 'timestamp(3) without time zone';
      case 'DateTime:Timestamptz':
        return `timestamp(${args[0] ?? '6'}) with time zone`;
      default:
        throw new Error(`no mapping for ${field.name}: ${field.type} @db.${native ?? ''}; add it here`);
    }
  })();
  return field.isList ? `${base}[]` : base;
}
