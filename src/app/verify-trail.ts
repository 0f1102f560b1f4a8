import type { KeyObject } from 'node:crypto';
import type pg from 'pg';
import {
  auditFailure,
  canonicalJson,
  createChainVerifier,
  createCheckpointChainVerifier,
  createRangeDigest,
  differingFields,
  evolve,
  headsHash,
  publicKeyId,
  type AuditFailure,
  type CaseHead,
  type CaseState,
  type ChainVerdict,
  type SignedCheckpoint,
  type StoredEvent,
} from '../domain/index.ts';
import {
  caseEventPages,
  caseRowPages,
  countEventsAfter,
  lastSeqOf,
  type PageCursor,
} from '../infra/db/audit-stream.repository.ts';
import { checkpointSeqsOfCase, leafPages, streamCheckpoints } from '../infra/db/checkpoint.repository.ts';
import { trustedKeysOf } from './signing-keys.ts';

export type VerifyTrailDeps = { pool: pg.Pool; publicKey: KeyObject };

export type TrailReport = {
  ok: boolean;
  caseId: string | null;
  cases: number;
  events: number;
  checkpoints: number;
  /** Every event up to this id is covered by a checkpoint ("0": none yet). */
  sealedThroughEventId: string;
  /** Events after the last checkpoint (of the case, with --case). */
  unsealedEvents: number;
  keyId: string;
  /** The first breaks found (at most MAX_FAILURES): per-case chains first, then checkpoints. */
  failures: AuditFailure[];
};

export type VerifyTrailOptions = {
  caseId?: string;
  pageSize?: number;
  onProgress?: (progress: { events: number; checkpoints: number }) => void;
};

const MAX_FAILURES = 20;
/** Events (and case rows, leaves, checkpoints) read per page unless told otherwise. */
export const DEFAULT_PAGE_SIZE = 500;

/**
 * Recomputes the trail from the database (docs/design.md §4): every case's chain (gapless seq,
 * prevHash links, hashes), each case row against the fold of its events, and every
 * checkpoint (links, hashes, signatures, Merkle roots, sealed case heads). Reads in keyset
 * pages, so memory stays flat as the trail grows. With caseId: that case, the whole
 * checkpoint chain, and the contents of the checkpoints that sealed the case's events.
 */
export async function verifyTrail(deps: VerifyTrailDeps, options: VerifyTrailOptions = {}): Promise<TrailReport> {
  const report: TrailReport = {
    ok: true,
    caseId: options.caseId ?? null,
    cases: 0,
    events: 0,
    checkpoints: 0,
    sealedThroughEventId: '0',
    unsealedEvents: 0,
    keyId: publicKeyId(deps.publicKey),
    failures: [],
  };
  const pageSize = options.pageSize ?? DEFAULT_PAGE_SIZE;
  // Both passes at once: each checks its page while the database reads the other's next.
  // The checkpoints' failures are listed after the chains', as if checked second.
  const sealing: Failures = { failures: [] };
  await Promise.all([
    verifyCases(deps, report, pageSize, options),
    verifyCheckpoints(deps, report, sealing, pageSize, options),
  ]);
  for (const failure of sealing.failures) record(report, failure);
  report.unsealedEvents = await countEventsAfter(deps.pool, report.sealedThroughEventId, options.caseId);
  report.ok = report.failures.length === 0;
  return report;
}

/** Where failures are recorded: the report, or a list appended to it later. */
type Failures = { failures: AuditFailure[] };

function record(to: Failures, failure: AuditFailure): void {
  if (to.failures.length < MAX_FAILURES) to.failures.push(failure);
}

/**
 * Walks case rows and events side by side, both in case id order (a merge join). Pages are
 * checked in a synchronous loop: it awaits only where a page ends.
 */
async function verifyCases(
  deps: VerifyTrailDeps,
  report: TrailReport,
  pageSize: number,
  options: VerifyTrailOptions,
): Promise<void> {
  const scope = { pageSize, ...(options.caseId === undefined ? {} : { caseId: options.caseId }) };
  const rows = caseRowPages(deps.pool, scope);
  const events = caseEventPages(deps.pool, scope);
  let open: OpenCase | null = null;
  for (;;) {
    const event = events.peek() ?? (await events.more());
    if (open !== null && open.caseId !== event?.caseId) {
      closeCase(open, report);
      open = null;
    }
    if (event === undefined) {
      await skipRowsWithoutEvents(rows, null, report);
      return;
    }
    if (open === null) {
      await skipRowsWithoutEvents(rows, event.caseId, report);
      const row = rows.peek();
      if (row?.id === event.caseId) {
        report.cases += 1;
        rows.advance();
      } else {
        record(report, auditFailure({ caseId: event.caseId, seq: event.seq }, 'events of a case that has no case row'));
      }
      open = openCase(event.caseId, row?.id === event.caseId ? row : null);
    }
    events.advance();
    report.events += 1;
    if (report.events % pageSize === 0)
      options.onProgress?.({ events: report.events, checkpoints: report.checkpoints });
    checkEvent(open, event, report);
  }
}

/** Case rows before the given case (null: all that remain) have no events. */
async function skipRowsWithoutEvents(
  rows: PageCursor<CaseState>,
  before: string | null,
  report: TrailReport,
): Promise<void> {
  for (
    let row = rows.peek() ?? (await rows.more());
    row !== undefined && (before === null || row.id < before);
    row = rows.peek() ?? (await rows.more())
  ) {
    report.cases += 1;
    record(report, auditFailure({ caseId: row.id, seq: 1 }, 'the case row has no events'));
    rows.advance();
  }
}

/** One case being checked: its chain so far, and its row to compare with the fold at the end. */
type OpenCase = {
  caseId: string;
  row: CaseState | null;
  verifyLink: (event: StoredEvent) => ChainVerdict;
  state: CaseState | null;
  /** No further event of the case is checked: its row is missing, or its chain broke. */
  broken: boolean;
};

function openCase(caseId: string, row: CaseState | null): OpenCase {
  return { caseId, row, verifyLink: createChainVerifier(), state: null, broken: row === null };
}

function checkEvent(open: OpenCase, event: StoredEvent, report: TrailReport): void {
  if (open.broken) return;
  const verdict = open.verifyLink(event);
  if (!verdict.ok) {
    record(report, auditFailure({ caseId: open.caseId, seq: verdict.seq }, verdict.reason));
    open.broken = true;
    return;
  }
  try {
    open.state = evolve(open.state, event);
  } catch (error) {
    record(
      report,
      auditFailure(
        { caseId: open.caseId, seq: event.seq },
        `the event cannot follow the case's history: ${(error as Error).message}`,
      ),
    );
    open.broken = true;
  }
}

/** After a case's last event: its row against the fold of its events. */
function closeCase(open: OpenCase, report: TrailReport): void {
  if (open.broken || open.row === null) return;
  const row = open.row as unknown as Record<string, unknown>;
  if (open.state !== null && sameFields(open.state as unknown as Record<string, unknown>, row)) return;
  const differing = differingFields(open.state, row);
  if (differing.length > 0) {
    record(
      report,
      auditFailure(
        { caseId: open.caseId, seq: open.row.version },
        `the case row differs from the fold of its events in ${differing.join(', ')}`,
      ),
    );
  }
}

/**
 * What differingFields finds empty, found faster: most fields are strings, numbers or null,
 * equal as they are; only the others go through canonical JSON.
 */
function sameFields(fold: Record<string, unknown>, row: Record<string, unknown>): boolean {
  for (const key of Object.keys(fold)) {
    const a = fold[key] ?? null;
    const b = row[key] ?? null;
    if (a !== b && (typeof a !== 'object' || typeof b !== 'object' || canonicalJson(a) !== canonicalJson(b)))
      return false;
  }
  for (const key of Object.keys(row)) if (!Object.hasOwn(fold, key) && (row[key] ?? null) !== null) return false;
  return true;
}

async function verifyCheckpoints(
  deps: VerifyTrailDeps,
  report: TrailReport,
  failures: Failures,
  pageSize: number,
  options: VerifyTrailOptions,
): Promise<void> {
  // After a rotation, older checkpoints name the keys before this one (docs/audit-format.md).
  const keys = await trustedKeysOf(deps.pool, deps.publicKey);
  if (typeof keys === 'string') record(failures, auditFailure({}, `the recorded signing keys do not hold: ${keys}`));
  const verifyLink = createCheckpointChainVerifier(typeof keys === 'string' ? deps.publicKey : keys);
  const relevant = options.caseId === undefined ? null : await checkpointSeqsOfCase(deps.pool, options.caseId);
  for await (const { checkpoint, heads } of streamCheckpoints(deps.pool, pageSize)) {
    report.checkpoints += 1;
    const at = { checkpoint: checkpoint.seq };
    const verdict = verifyLink(checkpoint);
    if (!verdict.ok) record(failures, auditFailure(at, verdict.reason));
    if (headsHash(heads) !== checkpoint.headsHash) {
      record(failures, auditFailure(at, 'the stored case heads do not match the signed headsHash'));
    } else if (relevant === null || relevant.has(checkpoint.seq)) {
      await verifyContents(deps, checkpoint, heads, failures, pageSize);
      options.onProgress?.({ events: report.events, checkpoints: report.checkpoints });
    }
    report.sealedThroughEventId = checkpoint.toEventId;
  }
}

/** The range's events against what was sealed: case heads first (they name the case), then root and count. */
async function verifyContents(
  deps: VerifyTrailDeps,
  checkpoint: SignedCheckpoint,
  sealed: readonly CaseHead[],
  failures: Failures,
  pageSize: number,
): Promise<void> {
  const digest = createRangeDigest();
  const leaves = leafPages(deps.pool, { fromId: checkpoint.fromEventId, toId: checkpoint.toEventId }, pageSize);
  for (
    let leaf = leaves.peek() ?? (await leaves.more());
    leaf !== undefined;
    leaf = leaves.peek() ?? (await leaves.more())
  ) {
    digest.add(leaf);
    leaves.advance();
  }
  const found = new Map(digest.heads().map((h) => [h.caseId, h]));
  for (const head of sealed) {
    const now = found.get(head.caseId);
    found.delete(head.caseId);
    if (now !== undefined && now.seq === head.seq && now.hash === head.hash) continue;
    const lastSeq = await lastSeqOf(deps.pool, head.caseId);
    const at = { caseId: head.caseId, checkpoint: checkpoint.seq };
    if (lastSeq < head.seq) {
      record(
        failures,
        auditFailure(
          { ...at, seq: lastSeq + 1 },
          `checkpoint ${checkpoint.seq} sealed this case up to seq ${head.seq}; the trail ends at seq ${lastSeq}`,
        ),
      );
    } else {
      record(
        failures,
        auditFailure({ ...at, seq: head.seq }, `seq ${head.seq} is not the event checkpoint ${checkpoint.seq} sealed`),
      );
    }
  }
  for (const extra of found.values()) {
    record(
      failures,
      auditFailure(
        { caseId: extra.caseId, seq: extra.seq, checkpoint: checkpoint.seq },
        'an event in a sealed range that the checkpoint did not seal',
      ),
    );
  }
  if (digest.count !== checkpoint.eventCount || digest.root() !== checkpoint.root) {
    record(
      failures,
      auditFailure(
        { checkpoint: checkpoint.seq },
        `the events of the range (${digest.count}, ${checkpoint.eventCount} sealed) do not give the signed Merkle root`,
      ),
    );
  }
}
