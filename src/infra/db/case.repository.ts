import type pg from 'pg';
import { decisionNoKey, type CaseState, type StoredEvent } from '../../domain/index.ts';

/** Every column of `cases`, in the order caseToRow writes them. */
export const CASE_COLUMNS = [
  'id',
  'reference',
  'stage',
  'outcome',
  'version',
  'priority',
  'category',
  'platform',
  'claim',
  'url',
  'fingerprint',
  'content_hash',
  'item',
  'report',
  'submitted_by',
  'claimed_by',
  'claimed_until',
  'verified_by',
  'verdict',
  'referral',
  'penalty',
  'penalty_recorded_by',
  'decision_no',
  'decision_key',
  'appeal',
  'duplicate_of',
  'merged_reports',
  'related_cases',
  'topics',
  'stage_entered_at',
  'deadline_at',
  'head_hash',
  'created_at',
  'updated_at',
] as const;

export type CaseRow = Record<(typeof CASE_COLUMNS)[number], unknown>;

// Rows come from pg (Date) or from to_jsonb (an RFC 3339 string with an offset).
const iso = (value: unknown): string | null =>
  value === null || value === undefined ? null : new Date(value as Date | string).toISOString();

export function rowToCase(row: CaseRow): CaseState {
  return {
    id: row.id as string,
    reference: row.reference as string,
    stage: row.stage as CaseState['stage'],
    outcome: row.outcome as CaseState['outcome'],
    version: row.version as number,
    priority: row.priority as CaseState['priority'],
    category: row.category as CaseState['category'],
    platform: row.platform as CaseState['platform'],
    claim: row.claim as string,
    url: row.url as string,
    fingerprint: row.fingerprint as string,
    contentHash: row.content_hash as string,
    item: row.item as CaseState['item'],
    report: row.report as CaseState['report'],
    submittedBy: row.submitted_by as string,
    claimedBy: row.claimed_by as string | null,
    claimedUntil: iso(row.claimed_until),
    verifiedBy: row.verified_by as string | null,
    verdict: row.verdict as CaseState['verdict'],
    referral: row.referral as CaseState['referral'],
    penalty: row.penalty as CaseState['penalty'],
    penaltyRecordedBy: row.penalty_recorded_by as string | null,
    decisionNo: row.decision_no as string | null,
    appeal: row.appeal as CaseState['appeal'],
    duplicateOf: row.duplicate_of as string | null,
    mergedReports: row.merged_reports as number,
    relatedCases: row.related_cases as string[],
    topics: row.topics as string[],
    stageEnteredAt: iso(row.stage_entered_at) as string,
    deadlineAt: iso(row.deadline_at),
    headHash: row.head_hash as string,
    createdAt: iso(row.created_at) as string,
    updatedAt: iso(row.updated_at) as string,
  };
}

/** A case as a row object keyed by column (JSON columns as objects), for jsonb_populate_recordset. */
export function caseToRecord(s: CaseState): Record<(typeof CASE_COLUMNS)[number], unknown> {
  return {
    id: s.id,
    reference: s.reference,
    stage: s.stage,
    outcome: s.outcome,
    version: s.version,
    priority: s.priority,
    category: s.category,
    platform: s.platform,
    claim: s.claim,
    url: s.url,
    fingerprint: s.fingerprint,
    content_hash: s.contentHash,
    item: s.item,
    report: s.report,
    submitted_by: s.submittedBy,
    claimed_by: s.claimedBy,
    claimed_until: s.claimedUntil,
    verified_by: s.verifiedBy,
    verdict: s.verdict,
    referral: s.referral,
    penalty: s.penalty,
    penalty_recorded_by: s.penaltyRecordedBy,
    decision_no: s.decisionNo,
    decision_key: s.decisionNo === null ? null : decisionNoKey(s.decisionNo),
    appeal: s.appeal,
    duplicate_of: s.duplicateOf,
    merged_reports: s.mergedReports,
    related_cases: s.relatedCases,
    topics: s.topics,
    stage_entered_at: s.stageEnteredAt,
    deadline_at: s.deadlineAt,
    head_hash: s.headHash,
    created_at: s.createdAt,
    updated_at: s.updatedAt,
  };
}

export async function lockCases(client: pg.ClientBase, ids: readonly string[]): Promise<Map<string, CaseState>> {
  if (ids.length === 0) return new Map();
  // A fixed lock order keeps two transactions that lock the same cases from deadlocking.
  const { rows } = await client.query<CaseRow>(
    'SELECT * FROM cases WHERE id = ANY($1::uuid[]) ORDER BY id FOR UPDATE',
    [ids],
  );
  return new Map(rows.map((row) => [row.id as string, rowToCase(row)]));
}

export async function findCase(client: pg.ClientBase | pg.Pool, id: string): Promise<CaseState | null> {
  const { rows } = await client.query<CaseRow>('SELECT * FROM cases WHERE id = $1', [id]);
  return rows[0] ? rowToCase(rows[0]) : null;
}

/**
 * What a new report of an item meets, looked up and locked in one statement: the open
 * cases under one of its keys (intakeKeys: the item key, and the key of cases received
 * before it; oldest first; at most one unless history says otherwise), and when there is
 * none, up to 20 closed cases of the item (but duplicates) and up to 20 cases with the same content under another key
 * (a different item, maybe a different account) that are not duplicates themselves. The
 * oldest open case and the related ones are locked, in id order. Run it after the
 * fingerprint's advisory lock, in a statement of its own, so that it sees every report
 * committed before the lock was granted.
 */
const INTAKE_MATCHES = `
WITH open AS (SELECT id, created_at FROM cases WHERE fingerprint = ANY($1::text[]) AND stage <> 'closed'),
related AS (
  SELECT id, created_at FROM cases
  WHERE content_hash = ANY($2::text[]) AND fingerprint <> ALL($1::text[]) AND outcome IS DISTINCT FROM 'duplicate' AND NOT EXISTS (SELECT 1 FROM open)
  ORDER BY created_at, id LIMIT 20
),
earlier AS (
  SELECT id, created_at FROM cases
  WHERE fingerprint = ANY($1::text[]) AND stage = 'closed' AND outcome <> 'duplicate' AND NOT EXISTS (SELECT 1 FROM open)
  ORDER BY created_at, id LIMIT 20
),
oldest AS (SELECT id FROM open ORDER BY created_at, id LIMIT 1),
locked AS (
  SELECT * FROM cases WHERE id IN (SELECT id FROM oldest UNION ALL SELECT id FROM related UNION ALL SELECT id FROM earlier)
  ORDER BY id FOR UPDATE
)
SELECT (SELECT coalesce(jsonb_agg(id ORDER BY created_at, id), '[]') FROM open) AS open_ids,
       (SELECT coalesce(jsonb_agg(id ORDER BY created_at, id), '[]') FROM related) AS related_ids,
       (SELECT coalesce(jsonb_agg(id ORDER BY created_at, id), '[]') FROM earlier) AS earlier_ids,
       (SELECT coalesce(jsonb_agg(to_jsonb(locked)), '[]') FROM locked) AS cases`;

export async function lockIntakeMatches(
  client: pg.ClientBase,
  fingerprints: readonly string[],
  contentHashes: readonly string[],
): Promise<{ openIds: string[]; relatedIds: string[]; earlierIds: string[]; states: Map<string, CaseState> }> {
  const { rows } = await client.query<{
    open_ids: string[];
    related_ids: string[];
    earlier_ids: string[];
    cases: CaseRow[];
  }>({
    name: 'intake-matches',
    text: INTAKE_MATCHES,
    values: [fingerprints, contentHashes],
  });
  const row = rows[0];
  if (row === undefined) throw new Error('no row from the intake lookup');
  return {
    openIds: row.open_ids,
    relatedIds: row.related_ids,
    earlierIds: row.earlier_ids,
    states: new Map(row.cases.map((c) => [c.id as string, rowToCase(c)])),
  };
}

/**
 * Draws the next case reference (CT-2026-000123: the database clock's year and the next
 * number of the case_references sequence). A submit gets its reference when it is accepted
 * (insertCommands); this is for a submit stored without one. Unique and increasing, not
 * gapless: a number drawn for a command that is refused is not used again.
 */
export async function drawReference(db: pg.Pool | pg.ClientBase): Promise<string> {
  const { rows } = await db.query<{ reference: string }>({
    name: 'draw-reference',
    text: 'SELECT casetrail_next_reference() AS reference',
  });
  const row = rows[0];
  if (row === undefined) throw new Error('no reference drawn');
  return row.reference;
}

export type EventRow = {
  id: string;
  case_id: string;
  seq: number;
  type: string;
  payload: unknown;
  actor_id: string;
  actor_roles: string[];
  command_id: string | null;
  occurred_at: string;
  prev_hash: string;
  hash: string;
};

export function rowToEvent(row: EventRow): StoredEvent & { id: string } {
  return {
    id: String(row.id),
    caseId: row.case_id,
    seq: row.seq,
    type: row.type,
    payload: row.payload,
    actor: { id: row.actor_id, roles: row.actor_roles },
    commandId: row.command_id,
    occurredAt: row.occurred_at,
    prevHash: row.prev_hash,
    hash: row.hash,
  } as StoredEvent & { id: string };
}

export async function listEvents(
  client: pg.ClientBase | pg.Pool,
  caseId: string,
): Promise<(StoredEvent & { id: string })[]> {
  const { rows } = await client.query<EventRow>('SELECT * FROM events WHERE case_id = $1 ORDER BY seq', [caseId]);
  return rows.map(rowToEvent);
}
