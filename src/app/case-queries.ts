import type pg from 'pg';
import { z } from 'zod';
import {
  DEFAULT_TIME_ZONE,
  canSeeCase,
  foldAsOf,
  linkedCaseIdOf,
  linkedCaseIds,
  personalRefsIn,
  personalValueDigest,
  revealValues,
  visibleLinks,
  withheldLinks,
  type Actor,
  type CaseState,
  type StoredEvent,
  type VisibleLinks,
} from '../domain/index.ts';
import { findCase, listEvents } from '../infra/db/case.repository.ts';
import {
  insertAccessLog,
  searchCases,
  selectCases,
  selectCasesByIds,
  selectEvents,
  selectPersonalData,
  selectPersonalValues,
  selectWorklist,
  type CaseFilter,
  type CaseScope,
  type PersonalDataRow,
} from '../infra/db/case-query.repository.ts';
import { findCommand, type CommandRecord } from '../infra/db/command.repository.ts';
import { cursorKey, decodeCursor, encodeCursor } from './cursor.ts';
import { unknownTopics } from './topics.ts';

export type CaseQueryDeps = {
  pool: pg.Pool;
  /** The HMAC key: with it, a stored value is shown only if it still matches its reference. */
  hmacKey?: Uint8Array;
  /** The zone of the calendar days `from` and `to` name (CASETRAIL_TIME_ZONE); default Asia/Ho_Chi_Minh. */
  timeZone?: string;
};

/** The personal fields a reader may see; absent when not allowed or erased. */
export type VisiblePersonalData = {
  item?: { accountHandle?: string; accountName?: string; content?: string };
  subject?: { accountHandle?: string; name?: string };
};
/** A case as a reader sees it: the personal data and the links to other cases they may see. */
export type CaseView = { state: CaseState; personal: VisiblePersonalData; links: VisibleLinks };
export type Page<T> = { items: T[]; nextCursor: string | null };

type NotFound = { ok: false; code: 'not_found'; detail: string };
type BadCursor = { ok: false; code: 'validation_failed'; detail: string; path: 'cursor' | 'topic' };
type Forbidden = { ok: false; code: 'forbidden'; detail: string };

export const DEFAULT_LIMIT = 50;
const MAX_LIMIT = 200;

const createdCursor = z.tuple([cursorKey.timestamp, cursorKey.uuid]);
const searchCursor = z.tuple([cursorKey.int4, cursorKey.timestamp, cursorKey.uuid]);
const worklistCursor = z.tuple([cursorKey.int4, cursorKey.timestamp, cursorKey.uuid]);
const eventCursor = z.tuple([cursorKey.int4]);

const notFound = (id: string): NotFound => ({ ok: false, code: 'not_found', detail: `no case ${id}` });
const badCursor: BadCursor = {
  ok: false,
  code: 'validation_failed',
  detail: 'the cursor is not one this API issued',
  path: 'cursor',
};

/** The SQL form of canSeeCase: which cases a listing may return to this actor. */
export function scopeOf(actor: Actor): CaseScope {
  if (actor.roles.includes('supervisor')) return { all: true };
  return {
    all: false,
    submittedBy: actor.roles.includes('clerk') ? actor.id : null,
    receivedOrVerifiedBy: actor.roles.includes('verifier') ? actor.id : null,
  };
}

/**
 * Personal data of a case (decided here, docs/design.md §1 leaves it open): the item's account and
 * content are shown to whoever may see the case (the submitting clerk, the verifiers who
 * research it, supervisors): they need the content to do their work. The penalty subject's
 * name and handle are shown to supervisors only, who record and enforce the penalty.
 */
export function visiblePersonalData(actor: Actor, state: CaseState, row: PersonalDataRow | null): VisiblePersonalData {
  if (row === null || !canSeeCase(actor, state)) return {};
  const item = compact({ accountHandle: row.accountHandle, accountName: row.accountName, content: row.content });
  const subject = actor.roles.includes('supervisor')
    ? compact({ accountHandle: row.subjectHandle, name: row.subjectName })
    : {};
  return {
    ...(Object.keys(item).length > 0 ? { item } : {}),
    ...(Object.keys(subject).length > 0 ? { subject } : {}),
  };
}

function compact<T extends Record<string, string | null>>(value: T): { [K in keyof T]?: string } {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== null)) as { [K in keyof T]?: string };
}

/**
 * Which of these cases the actor can see: a link to another case is shown only then, so
 * that no reader learns the id of a case they cannot read. Supervisors see every case.
 */
async function readableAmong(
  deps: CaseQueryDeps,
  actor: Actor,
  ids: readonly string[],
): Promise<Map<string, CaseState>> {
  const unique = [...new Set(ids)];
  if (unique.length === 0) return new Map();
  const states = await selectCasesByIds(deps.pool, unique);
  return new Map(states.filter((s) => canSeeCase(actor, s)).map((s) => [s.id, s]));
}

/**
 * Items of cases the reader may see, with the references of format 2 payloads (docs/audit-format.md,
 * "Personal data and keyed digests") replaced by their values, looked up together. An erased
 * value stays a reference, and so does, given the key, a value that no longer matches it.
 */
export async function revealed<T>(deps: CaseQueryDeps, items: readonly { caseId: string; value: T }[]): Promise<T[]> {
  const refs = new Map<string, Set<string>>();
  for (const { caseId, value } of items) refs.set(caseId, personalRefsIn(value, refs.get(caseId)));
  const values = await selectPersonalValues(
    deps.pool,
    [...refs].map(([caseId, digests]) => ({ caseId, digests: [...digests] })),
  );
  const key = deps.hmacKey;
  return items.map(({ caseId, value }) => {
    const known = values.get(caseId);
    if (known === undefined) return value;
    return revealValues(value, (digest) => {
      const stored = known.get(digest);
      // A value changed in the store no longer matches the reference the trail holds.
      if (stored === undefined || (key !== undefined && personalValueDigest(key, stored.salt, stored.value) !== digest))
        return undefined;
      return stored.value;
    });
  });
}

/** Each case with the links the actor may see, looked up together. */
async function withLinks(deps: CaseQueryDeps, actor: Actor, states: readonly CaseState[]): Promise<CaseView[]> {
  const linked = await readableAmong(deps, actor, states.flatMap(linkedCaseIds));
  const shown = await revealed(
    deps,
    states.map((state) => ({ caseId: state.id, value: state })),
  );
  return shown.map((state) => ({ state, personal: {}, links: visibleLinks(actor, state, linked) }));
}

export async function listCases(
  deps: CaseQueryDeps,
  actor: Actor,
  query: CaseFilter & { limit?: number; cursor?: string },
): Promise<({ ok: true } & Page<CaseView>) | BadCursor | Forbidden> {
  const scope = scopeOf(actor);
  if (!scope.all && scope.submittedBy === null && scope.receivedOrVerifiedBy === null) {
    return { ok: false, code: 'forbidden', detail: 'listing cases needs the clerk, verifier or supervisor role' };
  }
  const { cursor, limit = DEFAULT_LIMIT, q, ...filter } = query;
  const [unknownTopic] = await unknownTopics(deps, { topic: filter.topic });
  if (unknownTopic !== undefined) {
    return { ok: false, code: 'validation_failed', detail: unknownTopic.message, path: 'topic' };
  }
  const timeZone = deps.timeZone ?? DEFAULT_TIME_ZONE;
  if (q !== undefined) {
    const after = cursor === undefined ? null : decodeCursor(cursor, searchCursor);
    if (after === undefined) return badCursor;
    const rows = await searchCases(deps.pool, {
      scope,
      filter,
      timeZone,
      q,
      after: after === null ? null : { rank: after[0], createdAt: after[1], id: after[2] },
      limit,
    });
    const { items, nextCursor } = page(rows, limit, (last) => [last.rank, last.createdAt, last.id]);
    const states = items.map(({ rank: _rank, ...state }) => state);
    return { ok: true, items: await withLinks(deps, actor, states), nextCursor };
  }
  const after = cursor === undefined ? null : decodeCursor(cursor, createdCursor);
  if (after === undefined) return badCursor;
  const rows = await selectCases(deps.pool, {
    scope,
    filter,
    timeZone,
    after: after === null ? null : { createdAt: after[0], id: after[1] },
    limit,
  });
  const { items, nextCursor } = page(rows, limit, (last) => [last.createdAt, last.id]);
  return { ok: true, items: await withLinks(deps, actor, items), nextCursor };
}

export async function verificationWorklist(
  deps: CaseQueryDeps,
  actor: Actor,
  query: { limit?: number; cursor?: string },
): Promise<({ ok: true } & Page<CaseView>) | BadCursor | Forbidden> {
  const supervisor = actor.roles.includes('supervisor');
  if (!supervisor && !actor.roles.includes('verifier')) {
    return { ok: false, code: 'forbidden', detail: 'the verification worklist needs the verifier or supervisor role' };
  }
  const after = query.cursor === undefined ? null : decodeCursor(query.cursor, worklistCursor);
  if (after === undefined) return badCursor;
  const limit = query.limit ?? DEFAULT_LIMIT;
  const rows = await selectWorklist(deps.pool, {
    // A supervisor hands work out, so sees every received case and who holds it.
    verifierId: supervisor ? null : actor.id,
    after: after === null ? null : { rank: after[0], createdAt: after[1], id: after[2] },
    limit,
  });
  const { items, nextCursor } = page(rows, limit, (last) => [last.rank, last.createdAt, last.id]);
  const states = items.map(({ rank: _rank, ...state }) => state);
  return { ok: true, items: await withLinks(deps, actor, states), nextCursor };
}

/** A case as the actor may see it, now or (asOf) as it stood then, rebuilt from its events. */
export async function getCase(
  deps: CaseQueryDeps,
  actor: Actor,
  id: string,
  options: { asOf?: Date; purpose?: string } = {},
): Promise<{ ok: true; view: CaseView } | NotFound> {
  const current = await findCase(deps.pool, id);
  // Visibility is judged on the case as it is now, whatever moment is asked for.
  if (current === null || !canSeeCase(actor, current)) return notFound(id);
  const state = options.asOf === undefined ? current : foldAsOf(await listEvents(deps.pool, id), options.asOf);
  if (state === null) return { ok: false, code: 'not_found', detail: `case ${id} did not exist yet at that time` };
  await auditRead(deps, actor, 'case.read', id, options.purpose);
  const personal = visiblePersonalData(actor, current, await selectPersonalData(deps.pool, id));
  const linked = await readableAmong(deps, actor, linkedCaseIds(state));
  const [shown] = await revealed(deps, [{ caseId: id, value: state }]);
  return { ok: true, view: { state: shown ?? state, personal, links: visibleLinks(actor, state, linked) } };
}

export async function listCaseEvents(
  deps: CaseQueryDeps,
  actor: Actor,
  id: string,
  query: { limit?: number; cursor?: string; purpose?: string },
): Promise<({ ok: true } & Page<StoredEvent & { id: string }>) | NotFound | BadCursor> {
  const current = await findCase(deps.pool, id);
  if (current === null || !canSeeCase(actor, current)) return notFound(id);
  const after = query.cursor === undefined ? null : decodeCursor(query.cursor, eventCursor);
  if (after === undefined) return badCursor;
  const limit = query.limit ?? MAX_LIMIT;
  const rows = await selectEvents(deps.pool, { caseId: id, afterSeq: after === null ? 0 : after[0], limit });
  await auditRead(deps, actor, 'case.events.read', id, query.purpose);
  const { items, nextCursor } = page(rows, limit, (last) => [last.seq]);
  const linked = await readableAmong(
    deps,
    actor,
    items.flatMap((e) => linkedCaseIdOf(e) ?? []),
  );
  const shown = await revealed(
    deps,
    items.map((e) => ({ caseId: e.caseId, value: withheldLinks(e, (other) => linked.has(other)) })),
  );
  return { ok: true, items: shown, nextCursor };
}

/**
 * Whether the actor may see the case as it is now: asked before each change of it is pushed
 * to a watcher (GET /v1/cases/:id/changes). Nothing is read of the case, so nothing is logged.
 */
export async function canWatchCase(deps: CaseQueryDeps, actor: Actor, id: string): Promise<boolean> {
  const current = await findCase(deps.pool, id);
  return current !== null && canSeeCase(actor, current);
}

/** A command is visible to the actor who issued it and to supervisors. */
export async function getCommand(
  deps: CaseQueryDeps,
  actor: Actor,
  id: string,
): Promise<{ ok: true; command: CommandRecord } | { ok: false; code: 'not_found'; detail: string }> {
  const command = await findCommand(deps.pool, id);
  if (command === null || (command.actor.id !== actor.id && !actor.roles.includes('supervisor'))) {
    return { ok: false, code: 'not_found', detail: `no command ${id}` };
  }
  return { ok: true, command };
}

/**
 * docs/design.md §4: every read of a case or its events goes to the append-only access log,
 * whoever reads (clerks and verifiers as much as supervisors), through the API and so the console.
 */
async function auditRead(
  deps: CaseQueryDeps,
  actor: Actor,
  action: string,
  caseId: string,
  purpose?: string,
): Promise<void> {
  await insertAccessLog(deps.pool, { actorId: actor.id, action, caseId, purpose: purpose ?? null });
}

function page<T>(rows: T[], limit: number, key: (last: T) => unknown[]): Page<T> {
  const items = rows.slice(0, limit);
  const last = items[items.length - 1];
  return { items, nextCursor: rows.length > limit && last !== undefined ? encodeCursor(key(last)) : null };
}
