import type pg from 'pg';
import {
  IMPORT_COLUMNS,
  businessTime,
  chainEvents,
  decisionNoKey,
  evolve,
  headOf,
  importCaseId,
  importDrafts,
  importRowDigest,
  intakeDigests,
  itemPersonalData,
  parseImportRow,
  personalDigest,
  protectDrafts,
  subjectPersonalData,
  type Actor,
  type CaseState,
  type ImportedCase,
  type OpenStage,
  type PersonalValue,
  type RowProblem,
  type StoredEvent,
} from '../domain/index.ts';
import type { PersonalDataPatch } from '../infra/db/command.repository.ts';
import { protectorOf } from './apply-command.ts';
import { recordPastBreaches } from '../infra/db/sla.repository.ts';
import { inTransaction } from '../infra/db/transaction.ts';
import { writeTransitions } from '../infra/db/transition.repository.ts';
import { ImportFileError, readImportFile, type SourceRow } from '../infra/import/import-reader.ts';
import type { Logger } from '../infra/logger.ts';

export type ImportDeps = { pool: pg.Pool; hmacKey: Uint8Array; sla: Record<OpenStage, number>; log: Logger };

export type ImportOptions = {
  actor: Actor;
  encoding?: string;
  /** The zone of dates written without an offset (dd/mm/yyyy); default Asia/Ho_Chi_Minh. */
  timeZone?: string;
  /** Import the valid rows and list the others, instead of importing nothing. */
  skipInvalid?: boolean;
  batchSize?: number;
  /** Called as rows are read (checked, then written): for a progress bar. */
  onProgress?: (phase: 'checking' | 'writing', rows: number) => void;
};

type ImportReject = { row: number; column: string | null; reason: string; cells: Record<string, string> };

export type ImportSummary = {
  status: 'imported' | 'refused';
  rows: number;
  /** New cases written. */
  imported: number;
  /** Rows whose case was imported before (the same values): left as they are. */
  unchanged: number;
  rejected: number;
  events: number;
  /** The problems of the rejected rows, the first 10 000 of them. */
  rejects: ImportReject[];
};

export { ImportFileError };

const DEFAULT_TIME_ZONE = 'Asia/Ho_Chi_Minh';
const MAX_LISTED_REJECTS = 10_000;
const KNOWN = new Set<string>(IMPORT_COLUMNS.map((c) => c.name));

function checkHeader(cells: Record<string, string>): void {
  const names = Object.keys(cells);
  const unknown = names.filter((n) => !KNOWN.has(n));
  if (unknown.length > 0) {
    throw new ImportFileError(
      `unknown columns: ${unknown.join(', ')} (the template lists the columns casetrail reads)`,
    );
  }
  const missing = IMPORT_COLUMNS.filter((c) => c.required && !names.includes(c.name)).map((c) => c.name);
  if (missing.length > 0) throw new ImportFileError(`missing columns: ${missing.join(', ')}`);
}

type Checked = { source: SourceRow; digest: string; caseId: string; value: ImportedCase };

/** Reads the file row by row: each row checked alone, then its decision number against the file so far. */
async function* checkedRows(
  hmacKey: Uint8Array,
  file: string,
  options: ImportOptions,
  now: Date,
): AsyncGenerator<{ ok: true; row: Checked } | { ok: false; reject: ImportReject }> {
  let first = true;
  for await (const source of readImportFile(
    file,
    options.encoding === undefined ? {} : { encoding: options.encoding },
  )) {
    if (first) checkHeader(source.cells);
    first = false;
    const problems: RowProblem[] = source.formulas.map((column) => ({
      column: column as RowProblem['column'],
      reason: 'a formula: casetrail imports values only (paste the values instead)',
    }));
    const parsed = parseImportRow(source.cells, { timeZone: options.timeZone ?? DEFAULT_TIME_ZONE, now });
    if (!parsed.ok) problems.push(...parsed.problems);
    if (problems.length > 0 || !parsed.ok) {
      for (const p of problems) yield { ok: false, reject: { row: source.row, ...p, cells: source.cells } };
      continue;
    }
    const digest = importRowDigest(hmacKey, source.cells);
    yield { ok: true, row: { source, digest, caseId: importCaseId(digest), value: parsed.value } };
  }
}

/**
 * Imports past cases from a CSV or XLSX file (docs/design.md §15). Two passes over the
 * file, streamed: the first checks every row (and that no decision number is used twice
 * or by another case); the second writes the valid rows in batches, all in ONE
 * transaction, so a file is imported whole or not at all. By default a file with any bad
 * row imports nothing. A row whose case exists (imported before: its id is its digest's)
 * is left alone, so importing a file twice changes nothing.
 */
export async function importCases(deps: ImportDeps, file: string, options: ImportOptions): Promise<ImportSummary> {
  const now = new Date();
  const batchSize = options.batchSize ?? 500;
  const rejects: ImportReject[] = [];
  const rejectedRows = new Set<number>();
  const decisions = new Map<string, { row: number; caseId: string }>();
  let rows = 0;
  let pendingKeys: { key: string; row: SourceRow; caseId: string }[] = [];
  const reject = (r: ImportReject) => {
    // A file of bad rows must not fill the memory: the first ones are listed, all are counted.
    if (rejects.length < MAX_LISTED_REJECTS) rejects.push(r);
    rejectedRows.add(r.row);
  };
  const checkDecisionKeys = async () => {
    if (pendingKeys.length === 0) return;
    const { rows: taken } = await deps.pool.query<{ decision_key: string; id: string; reference: string }>(
      'SELECT decision_key, id, reference FROM cases WHERE decision_key = ANY($1::text[])',
      [pendingKeys.map((k) => k.key)],
    );
    const byKey = new Map(taken.map((t) => [t.decision_key, t]));
    for (const { key, row, caseId } of pendingKeys) {
      const other = byKey.get(key);
      if (other !== undefined && other.id !== caseId) {
        reject({
          row: row.row,
          column: 'decision_no',
          reason: `decision number already used by case ${other.reference}`,
          cells: row.cells,
        });
      }
    }
    pendingKeys = [];
  };
  for await (const checked of checkedRows(deps.hmacKey, file, options, now)) {
    if (!checked.ok) {
      if (!rejectedRows.has(checked.reject.row)) rows += 1;
      reject(checked.reject);
      continue;
    }
    rows += 1;
    const { source, caseId, value } = checked.row;
    const decisionNo = value.penalty?.body.decisionNo;
    if (decisionNo !== undefined) {
      const key = decisionNoKey(decisionNo);
      const earlier = decisions.get(key);
      if (earlier !== undefined && earlier.caseId !== caseId) {
        reject({
          row: source.row,
          column: 'decision_no',
          reason: `decision number also on row ${earlier.row}`,
          cells: source.cells,
        });
      } else {
        decisions.set(key, { row: source.row, caseId });
        pendingKeys.push({ key, row: source, caseId });
      }
    }
    if (pendingKeys.length >= 1000) await checkDecisionKeys();
    options.onProgress?.('checking', rows);
  }
  await checkDecisionKeys();
  decisions.clear();
  const summary = { rows, imported: 0, unchanged: 0, rejected: rejectedRows.size, events: 0, rejects };
  if (rejectedRows.size > 0 && options.skipInvalid !== true) {
    deps.log.info({ rows, rejected: rejectedRows.size }, 'import refused: bad rows');
    return { status: 'refused', ...summary };
  }
  const importedAt = new Date();
  await inTransaction(
    deps.pool,
    async (client) => {
      let batch: Checked[] = [];
      let written = 0;
      const flush = async () => {
        const result = await writeBatch(client, deps, options.actor, importedAt, batch);
        summary.imported += result.imported;
        summary.unchanged += result.unchanged;
        summary.events += result.events;
        written += batch.length;
        options.onProgress?.('writing', written);
        batch = [];
      };
      for await (const checked of checkedRows(deps.hmacKey, file, options, now)) {
        if (!checked.ok || rejectedRows.has(checked.row.source.row)) continue;
        batch.push(checked.row);
        if (batch.length >= batchSize) await flush();
      }
      await flush();
    },
    { retry: false },
  );
  deps.log.info(
    { rows, imported: summary.imported, unchanged: summary.unchanged, rejected: summary.rejected },
    'import done',
  );
  return { status: 'imported', ...summary };
}

const ENTERS_STAGE = new Set(['case.received', 'case.verified', 'case.referred', 'case.penalty_issued']);

/** The sla_breaches rows of the breaches among imported events (each case's events in order). */
function pastBreaches(events: readonly StoredEvent[]) {
  const rows: { caseId: string; stage: string; stageEnteredAt: string; deadlineAt: string }[] = [];
  let entered = '';
  for (const event of events) {
    if (ENTERS_STAGE.has(event.type)) entered = businessTime(event);
    if (event.type === 'case.sla_breached') {
      rows.push({
        caseId: event.caseId,
        stage: event.payload.stage,
        stageEnteredAt: entered,
        deadlineAt: event.payload.deadlineAt,
      });
    }
  }
  return rows;
}

async function writeBatch(
  client: pg.ClientBase,
  deps: ImportDeps,
  actor: Actor,
  importedAt: Date,
  batch: readonly Checked[],
): Promise<{ imported: number; unchanged: number; events: number }> {
  if (batch.length === 0) return { imported: 0, unchanged: 0, events: 0 };
  const { rows: existing } = await client.query<{ id: string }>('SELECT id FROM cases WHERE id = ANY($1::uuid[])', [
    batch.map((b) => b.caseId),
  ]);
  const present = new Set(existing.map((r) => r.id));
  // The same row twice in one file is one case.
  const fresh = batch.filter((b, i) => !present.has(b.caseId) && batch.findIndex((o) => o.caseId === b.caseId) === i);
  if (fresh.length === 0) return { imported: 0, unchanged: batch.length, events: 0 };
  const { rows: references } = await client.query<{ reference: string }>(
    'SELECT casetrail_next_reference() AS reference FROM generate_series(1, $1::int)',
    [fresh.length],
  );
  const cases: CaseState[] = [];
  const events: StoredEvent[] = [];
  const personal: { caseId: string; patch: PersonalDataPatch }[] = [];
  const personalValues: PersonalValue[] = [];
  fresh.forEach((b, i) => {
    const item = itemPersonalData(b.value.submit.item);
    const subject = b.value.penalty === undefined ? null : subjectPersonalData(b.value.penalty.body.subject);
    const digests = intakeDigests(deps.hmacKey, b.value.submit.item);
    const plain = importDrafts(b.value, {
      caseId: b.caseId,
      fingerprint: digests.itemKeys[0] ?? '',
      contentHash: digests.contentHashes[0] ?? '',
      reference: references[i]?.reference ?? '',
      personalDigest: personalDigest(deps.hmacKey, item),
      subjectDigest: subject === null ? null : personalDigest(deps.hmacKey, subject),
      sla: deps.sla,
      row: b.source.row,
      digest: b.digest,
    });
    // Format 2, as a command would write it: URLs and free text by reference, their values stored apart.
    const { drafts, values } = protectDrafts(plain, protectorOf(deps));
    personalValues.push(...values);
    const chained = chainEvents(drafts, {
      heads: { [b.caseId]: headOf(null) },
      actor,
      commandId: null,
      occurredAt: importedAt,
    });
    let state: CaseState | null = null;
    for (const event of chained) state = evolve(state, event);
    if (state !== null) cases.push(state);
    events.push(...chained);
    personal.push({ caseId: b.caseId, patch: { ...item, ...(subject ?? {}) } });
  });
  // A closed case's history needs no projection: no SLA timer to set, and webhook
  // receivers are told what happens, not what a spreadsheet says happened years ago.
  const unprojected = cases.filter((c) => c.stage === 'closed').map((c) => c.id);
  await writeTransitions(client, { cases, events, outcomes: [], personal, personalValues, unprojected });
  await recordPastBreaches(client, pastBreaches(events));
  return { imported: fresh.length, unchanged: batch.length - fresh.length, events: events.length };
}

export { importTemplateCsv, importTemplateXlsx } from '../infra/import/import-template.ts';
