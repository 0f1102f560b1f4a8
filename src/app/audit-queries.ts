import type { KeyObject } from 'node:crypto';
import type pg from 'pg';
import { z } from 'zod';
import { bundlePublicKey, type Actor, type BundlePublicKey, type SignedCheckpoint } from '../domain/index.ts';
import { selectAccessLog, type AccessLogEntry } from '../infra/db/access-log.repository.ts';
import { selectCheckpoints } from '../infra/db/checkpoint.repository.ts';
import { lastSeqOf } from '../infra/db/audit-stream.repository.ts';
import { findCase } from '../infra/db/case.repository.ts';
import { verifyTrail, type TrailReport } from './verify-trail.ts';
import { cursorKey, decodeCursor, encodeCursor } from './cursor.ts';
import { DEFAULT_LIMIT, type Page } from './case-queries.ts';

export type AuditQueryDeps = { pool: pg.Pool; publicKey: KeyObject };

type Forbidden = { ok: false; code: 'forbidden'; detail: string };
type NotFound = { ok: false; code: 'not_found'; detail: string };
type BadCursor = { ok: false; code: 'validation_failed'; detail: string; path: 'cursor' };

const badCursor: BadCursor = {
  ok: false,
  code: 'validation_failed',
  detail: 'the cursor is not one this API issued',
  path: 'cursor',
};
const idCursor = z.tuple([cursorKey.int8]);

function supervisorOnly(actor: Actor, what: string): Forbidden | null {
  return actor.roles.includes('supervisor')
    ? null
    : { ok: false, code: 'forbidden', detail: `${what} needs the supervisor role` };
}

/** The key checkpoints and bundles are signed with: public, so any authenticated user may read it. */
export function publicKeyInfo(deps: Pick<AuditQueryDeps, 'publicKey'>): BundlePublicKey {
  return bundlePublicKey(deps.publicKey);
}

export async function listCheckpoints(
  deps: AuditQueryDeps,
  actor: Actor,
  query: { limit?: number; cursor?: string },
): Promise<({ ok: true } & Page<SignedCheckpoint>) | Forbidden | BadCursor> {
  const refused = supervisorOnly(actor, 'reading checkpoints');
  if (refused !== null) return refused;
  const before = query.cursor === undefined ? null : decodeCursor(query.cursor, idCursor);
  if (before === undefined) return badCursor;
  const limit = query.limit ?? DEFAULT_LIMIT;
  const rows = await selectCheckpoints(deps.pool, { before: before === null ? null : Number(before[0]), limit });
  const items = rows.slice(0, limit);
  const last = items.at(-1);
  return {
    ok: true,
    items,
    nextCursor: rows.length > limit && last !== undefined ? encodeCursor([String(last.seq)]) : null,
  };
}

/** The access log, newest first: who read which case, when and why. */
export async function listAccessLog(
  deps: AuditQueryDeps,
  actor: Actor,
  query: { caseId?: string; actorId?: string; from?: string; to?: string; limit?: number; cursor?: string },
): Promise<({ ok: true } & Page<AccessLogEntry>) | Forbidden | BadCursor> {
  const refused = supervisorOnly(actor, 'reading the access log');
  if (refused !== null) return refused;
  const before = query.cursor === undefined ? null : decodeCursor(query.cursor, idCursor);
  if (before === undefined) return badCursor;
  const limit = query.limit ?? DEFAULT_LIMIT;
  const rows = await selectAccessLog(deps.pool, {
    ...(query.caseId === undefined ? {} : { caseId: query.caseId }),
    ...(query.actorId === undefined ? {} : { actorId: query.actorId }),
    ...(query.from === undefined ? {} : { from: new Date(query.from) }),
    ...(query.to === undefined ? {} : { to: new Date(query.to) }),
    before: before === null ? null : before[0],
    limit,
  });
  const items = rows.slice(0, limit);
  const last = items.at(-1);
  return { ok: true, items, nextCursor: rows.length > limit && last !== undefined ? encodeCursor([last.id]) : null };
}

/** `audit verify` over HTTP: the whole trail, or one case (which must exist). */
export async function auditVerify(
  deps: AuditQueryDeps,
  actor: Actor,
  query: { caseId?: string },
): Promise<{ ok: true; report: TrailReport } | Forbidden | NotFound> {
  const refused = supervisorOnly(actor, 'verifying the audit trail');
  if (refused !== null) return refused;
  // A case whose row is gone but whose events remain is verified (and found broken), not hidden.
  if (
    query.caseId !== undefined &&
    (await findCase(deps.pool, query.caseId)) === null &&
    (await lastSeqOf(deps.pool, query.caseId)) === 0
  ) {
    return { ok: false, code: 'not_found', detail: `no case ${query.caseId}` };
  }
  return { ok: true, report: await verifyTrail(deps, query.caseId === undefined ? {} : { caseId: query.caseId }) };
}
