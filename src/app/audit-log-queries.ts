import type pg from 'pg';
import { z } from 'zod';
import { consistencyProof, inclusionPath, type SignedTreeHead } from '../domain/index.ts';
import { latestTreeHead, logIndexOf, selectTreeHeads } from '../infra/db/merkle-log.repository.ts';
import { DEFAULT_LIMIT, type Page } from './case-queries.ts';
import { cursorKey, decodeCursor, encodeCursor } from './cursor.ts';
import { readTree } from './merkle-log.ts';

// The Merkle log read by anyone (docs/audit-format.md): signed tree heads and RFC 9162 proofs.
// Nothing here is personal: hashes, sizes and signatures only, so no token is needed.

type Invalid = { ok: false; code: 'validation_failed'; detail: string; path: string };
type NotFound = { ok: false; code: 'not_found'; detail: string };

const sizeCursor = z.tuple([cursorKey.int8]);

export async function listTreeHeads(
  pool: pg.Pool,
  query: { limit?: number; cursor?: string },
): Promise<({ ok: true } & Page<SignedTreeHead>) | Invalid> {
  const before = query.cursor === undefined ? null : decodeCursor(query.cursor, sizeCursor);
  if (before === undefined)
    return { ok: false, code: 'validation_failed', detail: 'the cursor is not one this API issued', path: 'cursor' };
  const limit = query.limit ?? DEFAULT_LIMIT;
  const rows = await selectTreeHeads(pool, { before: before === null ? null : Number(before[0]), limit });
  const items = rows.slice(0, limit);
  const last = items.at(-1);
  return {
    ok: true,
    items,
    nextCursor: rows.length > limit && last !== undefined ? encodeCursor([String(last.treeSize)]) : null,
  };
}

/** Proofs reach only as far as a signed head: a larger size is refused, naming the field. */
async function beyondNewestHead(pool: pg.Pool, size: number, path: string): Promise<Invalid | null> {
  const newest = (await latestTreeHead(pool))?.head.treeSize ?? 0;
  if (size <= newest) return null;
  return {
    ok: false,
    code: 'validation_failed',
    detail: `no signed tree head is that large (the newest has ${newest})`,
    path,
  };
}

export type ConsistencyAnswer = { from: number; to: number; proof: string[] };

/** PROOF(from, D[to]) of RFC 9162 §2.1.4.1, for any two sizes up to the newest signed head. */
export async function consistency(
  pool: pg.Pool,
  query: { from: number; to: number },
): Promise<({ ok: true } & ConsistencyAnswer) | Invalid> {
  const tooLarge = await beyondNewestHead(pool, query.to, 'to');
  if (tooLarge !== null) return tooLarge;
  if (query.from > query.to)
    return { ok: false, code: 'validation_failed', detail: 'from must not exceed to', path: 'from' };
  const proof = await readTree(pool, 'log_nodes', (get) => consistencyProof(get, query.from, query.to));
  return { ok: true, from: query.from, to: query.to, proof: proof.map((p) => p.toString('hex')) };
}

export type InclusionAnswer = { eventId: string; leafIndex: number; treeSize: number; path: string[] };

/** PATH(leafIndex, D[treeSize]) of RFC 9162 §2.1.3.1 for an event of the log. */
export async function inclusion(
  pool: pg.Pool,
  query: { eventId: string; treeSize: number },
): Promise<({ ok: true } & InclusionAnswer) | Invalid | NotFound> {
  const tooLarge = await beyondNewestHead(pool, query.treeSize, 'treeSize');
  if (tooLarge !== null) return tooLarge;
  const leafIndex = await logIndexOf(pool, query.eventId);
  if (leafIndex === null || leafIndex >= query.treeSize)
    return {
      ok: false,
      code: 'not_found',
      detail: `event ${query.eventId} is not in the first ${query.treeSize} leaves of the log`,
    };
  const path = await readTree(pool, 'log_nodes', (get) => inclusionPath(get, leafIndex, query.treeSize));
  return {
    ok: true,
    eventId: query.eventId,
    leafIndex,
    treeSize: query.treeSize,
    path: path.map((p) => p.toString('hex')),
  };
}
