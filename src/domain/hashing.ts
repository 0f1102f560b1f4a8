import { createHmac, hash } from 'node:crypto';
import type { CaseState } from './case-state.ts';
import type { Actor, EventDraft, StoredEvent } from './events.ts';

/** The prevHash of a case's first event. */
export const GENESIS_HASH = '0'.repeat(64);

/**
 * RFC 8785 JSON Canonicalization Scheme: object keys sorted by UTF-16 code units, no
 * whitespace, strings and numbers as ECMAScript's JSON.stringify writes them (for finite
 * numbers that is RFC 8785's number format). NaN, the infinities, strings with a lone
 * surrogate (as values or keys) and circular structures throw; members whose value is
 * undefined or a symbol are left out, and such array elements become null. The output is
 * the same, byte for byte, as the `canonicalize` package's (test/unit/canonical-json.test.ts).
 */
export function canonicalJson(value: unknown): string {
  const json = serialize(value, []);
  if (json === undefined) throw new Error('value has no JSON representation');
  return json;
}

/** `ancestors` holds the objects being serialized around this value: a cycle throws. */
function serialize(value: unknown, ancestors: object[]): string | undefined {
  switch (typeof value) {
    case 'string':
      return quote(value);
    case 'number':
      if (Number.isNaN(value)) throw new Error('NaN is not allowed');
      if (!Number.isFinite(value)) throw new Error('Infinity is not allowed');
      // For a finite number JSON.stringify is Number::toString (-0 included: "0").
      return String(value);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'object':
      return value === null ? 'null' : serializeObject(value, ancestors);
    default:
      // undefined, functions and symbols have no JSON (undefined); a bigint throws.
      return JSON.stringify(value);
  }
}

// What JSON.stringify escapes: the quote, the backslash, controls and lone surrogates (with
// the u flag a surrogate pair is one code point, outside the range). A string without any of
// them is quoted as it is, much faster than through JSON.stringify.
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what JCS must escape
const NEEDS_CARE = /["\\\u0000-\u001f\ud800-\udfff]/u;

function quote(text: string): string {
  if (!NEEDS_CARE.test(text)) return `"${text}"`;
  if (!(text as string & { isWellFormed(): boolean }).isWellFormed()) throw new Error('Lone surrogate is not allowed');
  return JSON.stringify(text);
}

/** Object keys repeat endlessly: their quoted forms, kept up to a bound. */
const quotedKeys = new Map<string, string>();
const MAX_QUOTED_KEYS = 4_096;

function quoteKey(key: string): string {
  let quoted = quotedKeys.get(key);
  if (quoted === undefined) {
    quoted = quote(key);
    if (quotedKeys.size < MAX_QUOTED_KEYS) quotedKeys.set(key, quoted);
  }
  return quoted;
}

function serializeObject(value: object, ancestors: object[]): string | undefined {
  if (ancestors.includes(value)) throw new Error('Circular reference detected');
  ancestors.push(value);
  let json: string | undefined;
  const toJSON = (value as { toJSON?: unknown }).toJSON;
  if (typeof toJSON === 'function') json = serialize(toJSON.call(value), ancestors);
  else if (Array.isArray(value)) json = serializeArray(value, ancestors);
  else json = serializeMembers(value as Record<string, unknown>, ancestors);
  ancestors.pop();
  return json;
}

function serializeArray(array: readonly unknown[], ancestors: object[]): string {
  let json = '[';
  for (let i = 0; i < array.length; i++) {
    if (i > 0) json += ',';
    const element = array[i];
    // A hole stays empty, and so does an element without JSON (a function): Array.prototype.join.
    if (element === undefined) json += i in array ? 'null' : '';
    else if (typeof element === 'symbol') json += 'null';
    else json += serialize(element, ancestors) ?? '';
  }
  return `${json}]`;
}

function serializeMembers(object: Record<string, unknown>, ancestors: object[]): string {
  const keys = Object.keys(object);
  sortKeys(keys);
  let json = '';
  for (const key of keys) json += member(key, object[key], ancestors);
  return `{${json.slice(1)}}`;
}

/** `,"key":value` of one member of an object, or nothing for a member JSON leaves out. */
function member(key: string, value: unknown, ancestors: object[]): string {
  if (value === undefined || typeof value === 'symbol') return '';
  return `,${quoteKey(key)}:${String(serialize(value, ancestors))}`;
}

/** In place, by UTF-16 code units: the order of Array.prototype.sort without a comparator. */
function sortKeys(keys: string[]): void {
  if (keys.length > 16) {
    keys.sort();
    return;
  }
  // Insertion sort: objects are small here, and it beats the generic sort on them.
  for (let i = 1; i < keys.length; i++) {
    const key = keys[i] as string;
    let j = i - 1;
    while (j >= 0 && (keys[j] as string) > key) {
      keys[j + 1] = keys[j] as string;
      j -= 1;
    }
    keys[j + 1] = key;
  }
}

/** Lower-case hex SHA-256 of a string's UTF-8 bytes, or of bytes. */
export function sha256(data: string | Uint8Array): string {
  return hash('sha256', data, 'hex');
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
  return sha256(envelopeJson(envelope));
}

/**
 * canonicalJson(eventEnvelope(e)) without building the copy and sorting its keys: they are
 * fixed, so they are written in their sorted order. The actor, an object, always comes first.
 */
function envelopeJson(e: EventEnvelope): string {
  const ancestors: object[] = [];
  const actor = member('id', e.actor.id, ancestors) + member('roles', e.actor.roles, ancestors);
  return (
    `{"actor":{${actor.slice(1)}}` +
    member('caseId', e.caseId, ancestors) +
    member('commandId', e.commandId, ancestors) +
    member('occurredAt', e.occurredAt, ancestors) +
    member('payload', e.payload, ancestors) +
    member('prevHash', e.prevHash, ancestors) +
    member('seq', e.seq, ancestors) +
    member('type', e.type, ancestors) +
    '}'
  );
}

/** HMAC-SHA256 (hex) of the canonical JSON of personal fields: what the trail keeps of them. */
export function personalDigest(hmacKey: string | Uint8Array, fields: Record<string, string | undefined>): string {
  return createHmac('sha256', hmacKey).update(canonicalJson(fields), 'utf8').digest('hex');
}

/** Where a case's chain stands: the seq and hash of its last event. */
export type ChainHead = { seq: number; hash: string };

const EMPTY_HEAD: ChainHead = { seq: 0, hash: GENESIS_HASH };

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
