import { createHmac } from 'node:crypto';
import type { EventDraft, EventType, PersonalField } from './events.ts';
import { canonicalJson } from './hashing.ts';

// Format 2 payloads (docs/audit-format.md, "Personal data and keyed digests"): every URL
// and free text an event would hold is replaced by a reference to the personal-data store,
// "pd:" followed by HMAC-SHA256(key, JCS({ salt, value })) in hex. The salt is random and
// kept beside the value, so once both are erased the reference confirms no guess, even to
// whoever holds the key. Nothing here draws randomness: the caller passes the protector.

/** The payload version of the events written with references and keyed digests. */
const PAYLOAD_VERSION = 2;

const REF_PREFIX = 'pd:';
const REF_PATTERN = /^pd:[0-9a-f]{64}$/u;

/** Which free text or URL a reference stands for; an erasure lists the kinds it removed. */
const PERSONAL_VALUE_FIELDS = [
  'url',
  'claim',
  'reporterRef',
  'evidenceUrl',
  'text',
] as const satisfies readonly PersonalField[];
type PersonalValueField = (typeof PERSONAL_VALUE_FIELDS)[number];

type PathRule = { path: readonly string[]; field: PersonalValueField };

/**
 * Where format 2 payloads hold references, per event type ('*': every element of an array).
 * Every event of these types written from format 2 on carries `v: 2`; the other types hold
 * neither personal data nor digests of it, so their payloads read the same in both formats.
 */
const PERSONAL_VALUE_PATHS = {
  'case.received': [
    { path: ['item', 'url'], field: 'url' },
    { path: ['claim'], field: 'claim' },
    { path: ['report', 'reporterRef'], field: 'reporterRef' },
  ],
  'case.verified': [
    { path: ['rationale'], field: 'text' },
    { path: ['evidence', '*', 'url'], field: 'evidenceUrl' },
    { path: ['evidence', '*', 'description'], field: 'text' },
  ],
  'case.referred': [{ path: ['note'], field: 'text' }],
  'case.penalty_issued': [
    { path: ['facts'], field: 'text' },
    { path: ['documents', '*', 'description'], field: 'text' },
  ],
  'case.appeal_filed': [{ path: ['grounds'], field: 'text' }],
  'case.appeal_decided': [{ path: ['note'], field: 'text' }],
  'case.closed': [
    { path: ['note'], field: 'text' },
    { path: ['reason'], field: 'text' },
  ],
  'case.note_added': [{ path: ['text'], field: 'text' }],
  'case.evidence_added': [
    { path: ['url'], field: 'evidenceUrl' },
    { path: ['description'], field: 'text' },
  ],
  // No references: their fingerprint or contentHash is keyed from format 2 on.
  'case.duplicate_detected': [],
  'case.related_linked': [],
} as const satisfies Partial<Record<EventType, readonly PathRule[]>>;

type VersionedType = keyof typeof PERSONAL_VALUE_PATHS;

function isPersonalRef(value: unknown): value is string {
  return typeof value === 'string' && REF_PATTERN.test(value);
}

/** The digest of one personal value: what its reference carries after "pd:". */
export function personalValueDigest(hmacKey: string | Uint8Array, salt: string, value: string): string {
  return createHmac('sha256', hmacKey).update(canonicalJson({ salt, value }), 'utf8').digest('hex');
}

/** A personal value taken out of a payload, to be stored under its case and digest. */
export type PersonalValue = { caseId: string; digest: string; field: PersonalValueField; value: string; salt: string };

/** Makes the stored form of one value: draws its salt and computes its digest. */
export type Protector = (caseId: string, field: PersonalValueField, value: string) => PersonalValue;

function replaceAt(node: unknown, path: readonly string[], swap: (value: string) => string): unknown {
  if (path.length === 0) return typeof node === 'string' ? swap(node) : node;
  const [head, ...rest] = path as [string, ...string[]];
  if (head === '*') return Array.isArray(node) ? node.map((element) => replaceAt(element, rest, swap)) : node;
  if (node === null || typeof node !== 'object' || Array.isArray(node) || !(head in node)) return node;
  const record = node as Record<string, unknown>;
  return { ...record, [head]: replaceAt(record[head], rest, swap) };
}

/**
 * The drafts in format 2: each personal value replaced by its reference, `v: 2` added to the
 * payloads of the versioned types, and the values taken out, for the personal-data store.
 */
export function protectDrafts(
  drafts: readonly EventDraft[],
  protect: Protector,
): { drafts: EventDraft[]; values: PersonalValue[] } {
  const values: PersonalValue[] = [];
  const protectedDrafts = drafts.map((d) => {
    if (!(d.type in PERSONAL_VALUE_PATHS)) return d;
    const rules: readonly PathRule[] = PERSONAL_VALUE_PATHS[d.type as VersionedType];
    let payload: unknown = d.payload;
    for (const rule of rules) {
      payload = replaceAt(payload, rule.path, (value) => {
        const stored = protect(d.caseId, rule.field, value);
        values.push(stored);
        return `${REF_PREFIX}${stored.digest}`;
      });
    }
    return { ...d, payload: { ...(payload as object), v: PAYLOAD_VERSION } } as unknown as EventDraft;
  });
  return { drafts: protectedDrafts, values };
}

/**
 * A value with every reference the store still holds replaced by its plain value, at any
 * depth. An erased reference stays as it is: it names nothing any more.
 */
export function revealValues<T>(value: T, lookup: (ref: string) => string | undefined): T {
  if (typeof value === 'string')
    return (isPersonalRef(value) ? (lookup(value.slice(REF_PREFIX.length)) ?? value) : value) as T;
  if (Array.isArray(value)) return value.map((element) => revealValues(element, lookup)) as T;
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(Object.entries(value).map(([key, member]) => [key, revealValues(member, lookup)])) as T;
}

/** Every reference in a value, at any depth (to look them up together). */
export function personalRefsIn(value: unknown, into: Set<string> = new Set()): Set<string> {
  if (isPersonalRef(value)) into.add(value.slice(REF_PREFIX.length));
  else if (Array.isArray(value)) for (const element of value) personalRefsIn(element, into);
  else if (value !== null && typeof value === 'object')
    for (const member of Object.values(value)) personalRefsIn(member, into);
  return into;
}

/** The payload without its version member: the fold keeps the values, not the format. */
export function withoutVersion<T extends object>(payload: T): Omit<T, 'v'> {
  if (!('v' in payload)) return payload;
  const { v: _v, ...rest } = payload as T & { v?: unknown };
  return rest;
}
