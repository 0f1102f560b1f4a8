import { createHash, createHmac } from 'node:crypto';
import canonicalize from 'canonicalize';
import type { CaseState } from './case-state.ts';
import type { Actor, EventDraft, StoredEvent } from './events.ts';

/** The prevHash of a case's first event. */
export const GENESIS_HASH = '0'.repeat(64);

/** RFC 8785 JSON Canonicalization Scheme. */
export function canonicalJson(value: unknown): string {
  const json = canonicalize(value);
  if (json === undefined) throw new Error('value has no JSON representation');
  return json;
}

/** Exactly what is hashed: an event without its hash (and without any storage id). */
export type EventEnvelope = {
  caseId: string;
  seq: number;
  type: string;
  payload: unknown;
  actor: { id: string; roles: readonly string[] };
  commandId: string | null;
  occurredAt: string;
  prevHash: string;
};

export type HashedEvent = EventEnvelope & { hash: string };

export function eventEnvelope(e: EventEnvelope): EventEnvelope {
  return {
    caseId: e.caseId,
    seq: e.seq,
    type: e.type,
    payload: e.payload,
    actor: { id: e.actor.id, roles: e.actor.roles },
    commandId: e.commandId,
    occurredAt: e.occurredAt,
    prevHash: e.prevHash,
  };
}

/** Lower-case hex SHA-256 of the UTF-8 canonical JSON of the envelope. */
export function hashEvent(envelope: EventEnvelope): string {
  return createHash('sha256').update(canonicalJson(eventEnvelope(envelope)), 'utf8').digest('hex');
}

/** HMAC-SHA256 (hex) of the canonical JSON of personal fields: what the trail keeps of them. */
export function personalDigest(hmacKey: string | Uint8Array, fields: Record<string, string | undefined>): string {
  return createHmac('sha256', hmacKey).update(canonicalJson(fields), 'utf8').digest('hex');
}

/** Where a case's chain stands: the seq and hash of its last event. */
export type ChainHead = { seq: number; hash: string };

export const EMPTY_HEAD: ChainHead = { seq: 0, hash: GENESIS_HASH };

export function headOf(state: CaseState | null): ChainHead {
  return state === null ? EMPTY_HEAD : { seq: state.version, hash: state.headHash };
}

export type ChainOptions = {
  /** The head of every case the drafts touch; a new case's head is EMPTY_HEAD. */
  heads: Readonly<Record<string, ChainHead>>;
  actor: Actor;
  commandId: string | null;
  /** The database clock; every event of one command shares it. */
  occurredAt: Date;
};

/** Places drafts in their cases' chains: seq, prevHash and hash per case, in list order. */
export function chainEvents(drafts: readonly EventDraft[], options: ChainOptions): StoredEvent[] {
  const heads = new Map(Object.entries(options.heads));
  const occurredAt = options.occurredAt.toISOString();
  return drafts.map((d) => {
    const head = heads.get(d.caseId);
    if (head === undefined) throw new Error(`no chain head given for case ${d.caseId}`);
    const envelope = {
      ...d,
      seq: head.seq + 1,
      actor: { id: options.actor.id, roles: [...options.actor.roles] },
      commandId: options.commandId,
      occurredAt,
      prevHash: head.hash,
    };
    const hash = hashEvent(envelope);
    heads.set(d.caseId, { seq: envelope.seq, hash });
    // Spreading a member of the draft union keeps type and payload paired.
    return { ...envelope, hash } as StoredEvent;
  });
}

export type ChainVerdict = { ok: true } | { ok: false; seq: number; reason: string };

/**
 * Checks one case's events one at a time, so a long trail can stream through it:
 * gapless seq from 1, each prevHash the previous hash, each hash recomputed.
 */
export function createChainVerifier(): (event: HashedEvent) => ChainVerdict {
  let caseId: string | null = null;
  let head = EMPTY_HEAD;
  return (event) => {
    if (caseId !== null && event.caseId !== caseId) {
      return { ok: false, seq: event.seq, reason: `event of case ${event.caseId} in the chain of case ${caseId}` };
    }
    caseId = event.caseId;
    if (event.seq !== head.seq + 1) {
      return { ok: false, seq: head.seq + 1, reason: `expected seq ${head.seq + 1}, found ${event.seq}` };
    }
    if (event.prevHash !== head.hash) {
      return { ok: false, seq: event.seq, reason: 'prevHash is not the hash of the previous event' };
    }
    if (hashEvent(event) !== event.hash) {
      return { ok: false, seq: event.seq, reason: 'hash does not match the event' };
    }
    head = { seq: event.seq, hash: event.hash };
    return { ok: true };
  };
}

/** Verifies one case's events, given in seq order. */
export function verifyChain(events: Iterable<HashedEvent>): ChainVerdict {
  const verify = createChainVerifier();
  for (const event of events) {
    const verdict = verify(event);
    if (!verdict.ok) return verdict;
  }
  return { ok: true };
}
