import type { ItemState, PenaltyState } from './case-state.ts';
import type { FileKind, MediaType } from './files.ts';
import type {
  AddEvidencePayload,
  Authority,
  ClosePayload,
  EvidenceItem,
  FileAppealPayload,
  ReferPayload,
  ReportInput,
} from './schemas.ts';
import type { AppealDecision, Category, OpenStage, Priority, Role, Verdict } from './stages.ts';

export const EVENT_TYPES = [
  'case.received',
  'case.claimed',
  'case.assigned',
  'case.released',
  'case.verified',
  'case.referred',
  'case.penalty_issued',
  'case.appeal_filed',
  'case.appeal_decided',
  'case.closed',
  'case.note_added',
  'case.evidence_added',
  'case.sla_breached',
  'case.duplicate_detected',
  'case.report_merged',
  'case.related_linked',
  'case.personal_data_erased',
  'case.file_attached',
  'case.topics_changed',
] as const;
export type EventType = (typeof EVENT_TYPES)[number];

/** The personal fields kept apart from the trail; erasing them leaves every chain intact. */
export const PERSONAL_FIELDS = [
  'accountHandle',
  'accountName',
  'content',
  'subjectHandle',
  'subjectName',
  // Of the case's files: their names, their descriptions, and the bytes no other case holds.
  'fileName',
  'fileDescription',
  'fileContent',
  // Of format 2 events (personal-values.ts): the values their references stand for.
  'url',
  'claim',
  'reporterRef',
  'evidenceUrl',
  'text',
] as const;
export type PersonalField = (typeof PERSONAL_FIELDS)[number];

// Payloads are hashed with RFC 8785, so they hold only JSON strings, booleans, small
// integers, arrays and objects: the fine amount travels as a decimal string. Events that
// enter a stage carry its deadline, so folding events needs no configuration.

type ClosedPayload =
  | { outcome: 'dismissed' }
  | { outcome: 'duplicate'; duplicateOf: string }
  | { outcome: 'no_violation'; authority: Authority; note: string }
  | ({ outcome: 'penalty_enforced' } & ClosePayload)
  | { outcome: 'penalty_overturned' }
  | { outcome: 'withdrawn'; reason: string };

/**
 * On the events of imported history (docs/design.md §15): what the source record claims
 * happened when (`at`, the business time), the source row's number and the SHA-256 of its
 * values. The event's own occurredAt is when the history was imported.
 */
export type ImportMark = { at: string; row: number; digest: string };

type Imported = { imported?: ImportMark };

export type EventPayloads = {
  'case.received': {
    reference: string;
    item: ItemState;
    report: ReportInput;
    claim: string;
    category: Category;
    priority: Priority;
    fingerprint: string;
    contentHash: string;
    /** HMAC-SHA256 of the item's personal fields (account handle and name, content). */
    personal: { digest: string };
    deadlineAt: string;
  } & Imported;
  'case.claimed': { claimedUntil: string };
  /** A claim a supervisor placed for a verifier; its lease runs like a claim's. */
  'case.assigned': { verifierId: string; claimedUntil: string };
  /** The claim of `verifierId` given up, by them or a supervisor. */
  'case.released': { verifierId: string };
  'case.verified': {
    verdict: Verdict;
    rationale: string;
    evidence: EvidenceItem[];
    /** Null when the verdict dismisses the case: a case.closed follows. */
    deadlineAt: string | null;
  } & Imported;
  'case.referred': ReferPayload & { deadlineAt: string } & Imported;
  'case.penalty_issued': Omit<PenaltyState, 'fine'> & {
    fine: { amount: string; currency: 'VND' };
    deadlineAt: string;
  } & Imported;
  'case.appeal_filed': FileAppealPayload & Imported;
  'case.appeal_decided': { decision: AppealDecision; note: string } & Imported;
  'case.closed': ClosedPayload & Imported;
  'case.note_added': { text: string };
  'case.evidence_added': AddEvidencePayload;
  'case.sla_breached': { stage: OpenStage; deadlineAt: string } & Imported;
  'case.duplicate_detected': { duplicateOf: string; fingerprint: string };
  'case.report_merged': { duplicateCaseId: string; duplicateReference: string };
  /** Linked by the same content at another URL, or (since reports of closed items are linked) the same item. */
  'case.related_linked':
    | { relatedCaseId: string; contentHash: string }
    | { relatedCaseId: string; fingerprint: string };
  /** With references: a redaction of those values only (format 2 references, "pd:" and the digest). */
  'case.personal_data_erased': { fields: PersonalField[]; reason: string; references?: string[] };
  /** The bytes are bound by their SHA-256; the file's name and description stay out (personal data). */
  /** The topics the case gained and lost (codes), in the order given. */
  'case.topics_changed': { added: string[]; removed: string[] };
  'case.file_attached': { fileId: string; sha256: string; size: number; mediaType: MediaType; kind: FileKind };
};

export type Actor = { id: string; roles: Role[] };

export type EventDraftOf<T extends EventType> = { caseId: string; type: T; payload: EventPayloads[T] };

/** An event the domain decided on, before it is placed in its case's chain. */
export type EventDraft = { [T in EventType]: EventDraftOf<T> }[EventType];

export type StoredEventOf<T extends EventType> = EventDraftOf<T> & {
  seq: number;
  actor: Actor;
  commandId: string | null;
  /** The exact RFC 3339 string that was hashed (UTC, milliseconds). */
  occurredAt: string;
  prevHash: string;
  hash: string;
};

export type StoredEvent = { [T in EventType]: StoredEventOf<T> }[EventType];

/** When the event happened by the record: the imported record's claim, else when it was appended. */
export function businessTime(event: StoredEvent): string {
  const payload = event.payload as Imported;
  return payload.imported?.at ?? event.occurredAt;
}

export function draft<T extends EventType>(caseId: string, type: T, payload: EventPayloads[T]): EventDraftOf<T> {
  return { caseId, type, payload };
}
