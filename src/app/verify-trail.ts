import type { KeyObject } from 'node:crypto';
import type pg from 'pg';
import {
  auditFailure,
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
  type SignedCheckpoint,
  type StoredEvent,
} from '../domain/index.ts';
import { countEventsAfter, lastSeqOf, streamCaseEvents, streamCaseRows } from '../infra/db/audit-stream.repository.ts';
import { checkpointSeqsOfCase, streamCheckpoints, streamLeaves } from '../infra/db/checkpoint.repository.ts';

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

export type VerifyTrailOptions = { caseId?: string; pageSize?: number; onProgress?: (progress: { events: number; checkpoints: number }) => void };

const MAX_FAILURES = 20;
const DEFAULT_PAGE = 2_000;

type Event = StoredEvent & { id: string };

/**
 * Recomputes the trail from the database (SPEC §4): every case's chain (gapless seq,
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
  const pageSize = options.pageSize ?? DEFAULT_PAGE;
  await verifyCases(deps, report, pageSize, options);
  await verifyCheckpoints(deps, report, pageSize, options);
  report.unsealedEvents = await countEventsAfter(deps.pool, report.sealedThroughEventId, options.caseId);
  report.ok = report.failures.length === 0;
  return report;
}

function record(report: TrailReport, failure: AuditFailure): void {
  if (report.failures.length < MAX_FAILURES) report.failures.push(failure);
}

/** Walks case rows and events side by side, both in case id order (a merge join). */
async function verifyCases(deps: VerifyTrailDeps, report: TrailReport, pageSize: number, options: VerifyTrailOptions): Promise<void> {
  const scope = { pageSize, ...(options.caseId === undefined ? {} : { caseId: options.caseId }) };
  const rows = streamCaseRows(deps.pool, scope);
  const events = peekable(streamCaseEvents(deps.pool, scope));
  const progress = () => {
    if (report.events % pageSize === 0) options.onProgress?.({ events: report.events, checkpoints: report.checkpoints });
  };
  let row = await rows.next();
  for (;;) {
    const event = await events.peek();
    if (row.done && event === undefined) break;
    if (!row.done && (event === undefined || row.value.id < event.caseId)) {
      report.cases += 1;
      record(report, auditFailure({ caseId: row.value.id, seq: 1 }, 'the case row has no events'));
      row = await rows.next();
      continue;
    }
    const caseId = (event as Event).caseId;
    const state = row.done || row.value.id !== caseId ? null : row.value;
    if (state === null) record(report, auditFailure({ caseId, seq: (event as Event).seq }, 'events of a case that has no case row'));
    else report.cases += 1;
    await verifyCase(caseId, state, events, report, progress);
    if (state !== null) row = await rows.next();
  }
}

/** Consumes the events of one case: its chain, then its row against the fold. */
async function verifyCase(caseId: string, row: CaseState | null, events: Peekable<Event>, report: TrailReport, progress: () => void): Promise<void> {
  const verifyLink = createChainVerifier();
  let state: CaseState | null = null;
  let broken = row === null;
  for (let event = await events.peek(); event !== undefined && event.caseId === caseId; event = await events.peek()) {
    await events.next();
    report.events += 1;
    progress();
    if (broken) continue;
    const verdict = verifyLink(event);
    if (!verdict.ok) {
      record(report, auditFailure({ caseId, seq: verdict.seq }, verdict.reason));
      broken = true;
      continue;
    }
    try {
      state = evolve(state, event);
    } catch (error) {
      record(report, auditFailure({ caseId, seq: event.seq }, `the event cannot follow the case's history: ${(error as Error).message}`));
      broken = true;
    }
  }
  if (broken || row === null) return;
  const differing = differingFields(state, row as unknown as Record<string, unknown>);
  if (differing.length > 0) {
    record(report, auditFailure({ caseId, seq: row.version }, `the case row differs from the fold of its events in ${differing.join(', ')}`));
  }
}

async function verifyCheckpoints(deps: VerifyTrailDeps, report: TrailReport, pageSize: number, options: VerifyTrailOptions): Promise<void> {
  const verifyLink = createCheckpointChainVerifier(deps.publicKey);
  const relevant = options.caseId === undefined ? null : await checkpointSeqsOfCase(deps.pool, options.caseId);
  for await (const { checkpoint, heads } of streamCheckpoints(deps.pool, pageSize)) {
    report.checkpoints += 1;
    const at = { checkpoint: checkpoint.seq };
    const verdict = verifyLink(checkpoint);
    if (!verdict.ok) record(report, auditFailure(at, verdict.reason));
    if (headsHash(heads) !== checkpoint.headsHash) {
      record(report, auditFailure(at, 'the stored case heads do not match the signed headsHash'));
    } else if (relevant === null || relevant.has(checkpoint.seq)) {
      await verifyContents(deps, checkpoint, heads, report, pageSize);
      options.onProgress?.({ events: report.events, checkpoints: report.checkpoints });
    }
    report.sealedThroughEventId = checkpoint.toEventId;
  }
}

/** The range's events against what was sealed: case heads first (they name the case), then root and count. */
async function verifyContents(deps: VerifyTrailDeps, checkpoint: SignedCheckpoint, sealed: readonly CaseHead[], report: TrailReport, pageSize: number): Promise<void> {
  const digest = createRangeDigest();
  for await (const leaf of streamLeaves(deps.pool, { fromId: checkpoint.fromEventId, toId: checkpoint.toEventId }, pageSize)) digest.add(leaf);
  const found = new Map(digest.heads().map((h) => [h.caseId, h]));
  for (const head of sealed) {
    const now = found.get(head.caseId);
    found.delete(head.caseId);
    if (now !== undefined && now.seq === head.seq && now.hash === head.hash) continue;
    const lastSeq = await lastSeqOf(deps.pool, head.caseId);
    const at = { caseId: head.caseId, checkpoint: checkpoint.seq };
    if (lastSeq < head.seq) {
      record(report, auditFailure({ ...at, seq: lastSeq + 1 }, `checkpoint ${checkpoint.seq} sealed this case up to seq ${head.seq}; the trail ends at seq ${lastSeq}`));
    } else {
      record(report, auditFailure({ ...at, seq: head.seq }, `seq ${head.seq} is not the event checkpoint ${checkpoint.seq} sealed`));
    }
  }
  for (const extra of found.values()) {
    record(report, auditFailure({ caseId: extra.caseId, seq: extra.seq, checkpoint: checkpoint.seq }, 'an event in a sealed range that the checkpoint did not seal'));
  }
  if (digest.count !== checkpoint.eventCount || digest.root() !== checkpoint.root) {
    record(report, auditFailure({ checkpoint: checkpoint.seq }, `the events of the range (${digest.count}, ${checkpoint.eventCount} sealed) do not give the signed Merkle root`));
  }
}

type Peekable<T> = { peek(): Promise<T | undefined>; next(): Promise<T | undefined> };

function peekable<T>(source: AsyncIterator<T>): Peekable<T> {
  let buffered: { value: T | undefined } | null = null;
  const pull = async () => {
    const result = await source.next();
    return { value: result.done ? undefined : result.value };
  };
  return {
    async peek() {
      buffered ??= await pull();
      return buffered.value;
    },
    async next() {
      const current = buffered ?? (await pull());
      buffered = null;
      return current.value;
    },
  };
}
