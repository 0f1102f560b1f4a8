import type pg from 'pg';
import { PERSONAL_FIELDS, PERSONAL_PAYLOAD_PATHS, type PersonalField } from '../../domain/index.ts';
import { fileFieldsHeld } from './file.repository.ts';

// Erasure of a case's personal data: the personal-data row and the personal fields of the
// stored command payloads. Which paths hold what comes from the domain (PERSONAL_PAYLOAD_PATHS).

/** The fields of the case's personal-data row; the files' fields are kept per file (file.repository.ts). */
const COLUMNS: Partial<Record<PersonalField, string>> = {
  accountHandle: 'account_handle',
  accountName: 'account_name',
  content: 'content',
  subjectHandle: 'subject_handle',
  subjectName: 'subject_name',
};

const PATHS = Object.entries(PERSONAL_PAYLOAD_PATHS).flatMap(([type, paths]) =>
  paths.map(({ path, field }) => ({ type, path: `{${path.join(',')}}`, field: field as PersonalField })),
);

/** The personal fields the database still holds for the case, in PERSONAL_FIELDS order. */
export async function personalFieldsHeld(client: pg.ClientBase, caseId: string): Promise<PersonalField[]> {
  const inRow = Object.entries(COLUMNS)
    .map(([f, column]) => `bool_or(${column} IS NOT NULL) AS "${f}"`)
    .join(', ');
  const { rows: rowFields } = await client.query<Partial<Record<PersonalField, boolean | null>>>(
    `SELECT ${inRow} FROM case_personal_data WHERE case_id = $1`,
    [caseId],
  );
  const params: unknown[] = [caseId];
  const byField = new Map<PersonalField, string[]>();
  for (const { type, path, field } of PATHS) {
    params.push(type, path);
    const test = `(type = $${params.length - 1} AND payload #> $${params.length}::text[] IS NOT NULL)`;
    byField.set(field, [...(byField.get(field) ?? []), test]);
  }
  const inCommands = [...byField].map(([field, tests]) => `bool_or(${tests.join(' OR ')}) AS "${field}"`).join(', ');
  const { rows: commandFields } = await client.query<Partial<Record<PersonalField, boolean | null>>>(
    `SELECT ${inCommands} FROM commands WHERE case_id = $1`,
    params,
  );
  const files = await fileFieldsHeld(client, caseId);
  const { rows: valueFields } = await client.query<{ field: string }>(
    'SELECT DISTINCT field FROM case_personal_values WHERE case_id = $1',
    [caseId],
  );
  const inValues = new Set(valueFields.map((r) => r.field));
  return PERSONAL_FIELDS.filter(
    (f) =>
      rowFields[0]?.[f] === true ||
      commandFields[0]?.[f] === true ||
      inValues.has(f) ||
      (f === 'fileName' || f === 'fileDescription' || f === 'fileContent' ? files[f] : false),
  );
}

/** Deletes the case's personal-data row and the values of its format 2 references (with their salts). */
export async function deletePersonalData(client: pg.ClientBase, caseId: string): Promise<void> {
  await client.query('DELETE FROM case_personal_data WHERE case_id = $1', [caseId]);
  await client.query('DELETE FROM case_personal_values WHERE case_id = $1', [caseId]);
}

/** Removes the personal fields from the case's stored commands, whatever their status. */
export async function scrubCommandPayloads(client: pg.ClientBase, caseId: string): Promise<number> {
  let total = 0;
  for (const [type, paths] of Object.entries(PERSONAL_PAYLOAD_PATHS)) {
    const removals = paths.map((_, i) => ` #- $${i + 3}::text[]`).join('');
    const { rowCount } = await client.query(
      `UPDATE commands SET payload = payload${removals} WHERE case_id = $1 AND type = $2`,
      [caseId, type, ...paths.map(({ path }) => `{${path.join(',')}}`)],
    );
    total += rowCount ?? 0;
  }
  return total;
}

/**
 * The cases of the same item as these, one step out: the same item key, a duplicate and
 * its original either way, and cases linked as reports of the same item
 * (case.related_linked naming a fingerprint; a link by content alone joins another item).
 */
async function itemNeighbours(client: pg.ClientBase, ids: readonly string[]): Promise<string[]> {
  const { rows } = await client.query<{ id: string }>(
    `SELECT id FROM cases
      WHERE fingerprint IN (SELECT fingerprint FROM cases WHERE id = ANY($1::uuid[]))
         OR duplicate_of = ANY($1::uuid[])
         OR id IN (SELECT duplicate_of FROM cases WHERE id = ANY($1::uuid[]))
     UNION
     SELECT (payload->>'relatedCaseId')::uuid FROM events
      WHERE case_id = ANY($1::uuid[]) AND type = 'case.related_linked' AND payload ? 'fingerprint'`,
    [ids],
  );
  return rows.map((r) => r.id);
}

/** Every case of the item the case reports (the case included), followed link by link. */
export async function itemCaseIds(client: pg.ClientBase, caseId: string): Promise<string[]> {
  const found = new Set([caseId]);
  let frontier = [caseId];
  while (frontier.length > 0) {
    frontier = (await itemNeighbours(client, frontier)).filter((id) => !found.has(id));
    for (const id of frontier) found.add(id);
  }
  return [...found];
}

/**
 * A redaction: deletes these values of the case (format 2 references, by digest) with their
 * salts, and every stored command member of the case that holds one of them. Returns the
 * fields of the values deleted, in PERSONAL_FIELDS order.
 */
export async function redactPersonalValues(
  client: pg.ClientBase,
  caseId: string,
  digests: readonly string[],
): Promise<PersonalField[]> {
  const { rows } = await client.query<{ field: string; value: string }>(
    'DELETE FROM case_personal_values WHERE case_id = $1 AND digest = ANY($2::text[]) RETURNING field, value',
    [caseId, digests],
  );
  if (rows.length === 0) return [];
  const values = rows.map((r) => r.value);
  for (const { type, path } of PATHS) {
    // Any string at any depth under the member: a list of evidence or documents goes whole.
    await client.query(
      `UPDATE commands SET payload = payload #- $3::text[]
        WHERE case_id = $1 AND type = $2 AND EXISTS (
          SELECT 1 FROM jsonb_path_query(payload #> $3::text[], 'strict $.**') AS x
          WHERE jsonb_typeof(x) = 'string' AND x #>> '{}' = ANY($4::text[]))`,
      [caseId, type, path, values],
    );
  }
  const fields = new Set(rows.map((r) => r.field));
  return PERSONAL_FIELDS.filter((f) => fields.has(f));
}
