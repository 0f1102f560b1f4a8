import type { CaseState } from './case-state.ts';
import { businessTime, type StoredEvent, type StoredEventOf } from './events.ts';
import { withoutVersion } from './personal-values.ts';
import { priorityAfterMerges } from './priority.ts';
import { assertNever } from './stages.ts';

function received(event: StoredEventOf<'case.received'>): CaseState {
  const p = event.payload;
  return {
    id: event.caseId,
    reference: p.reference,
    stage: 'received',
    outcome: null,
    version: event.seq,
    priority: p.priority,
    category: p.category,
    platform: p.item.platform,
    claim: p.claim,
    url: p.item.url,
    fingerprint: p.fingerprint,
    contentHash: p.contentHash,
    item: p.item,
    report: p.report,
    submittedBy: event.actor.id,
    claimedBy: null,
    claimedUntil: null,
    verifiedBy: null,
    verdict: null,
    referral: null,
    penalty: null,
    penaltyRecordedBy: null,
    decisionNo: null,
    appeal: null,
    duplicateOf: null,
    mergedReports: 0,
    relatedCases: [],
    topics: [],
    stageEnteredAt: businessTime(event),
    deadlineAt: p.deadlineAt,
    headHash: event.hash,
    createdAt: event.occurredAt,
    updatedAt: event.occurredAt,
  };
}

/** Applies one event to the state it follows. Pure: the event carries every value it sets. */
export function evolve(state: CaseState | null, event: StoredEvent): CaseState {
  if (event.type === 'case.received') {
    if (state !== null) throw new Error(`case ${state.id} received twice`);
    if (event.seq !== 1) throw new Error(`case.received of case ${event.caseId} at seq ${event.seq}`);
    return received(event);
  }
  if (state === null) throw new Error(`${event.type} of case ${event.caseId} before case.received`);
  if (event.caseId !== state.id || event.seq !== state.version + 1) {
    throw new Error(`event ${event.caseId}#${event.seq} does not follow ${state.id}#${state.version}`);
  }
  const next: CaseState = { ...state, version: event.seq, updatedAt: event.occurredAt, headHash: event.hash };
  // Imported history enters its stages when the record says it did.
  const at = businessTime(event);
  const entered = { stageEnteredAt: at };

  switch (event.type) {
    case 'case.claimed':
      return { ...next, claimedBy: event.actor.id, claimedUntil: event.payload.claimedUntil };
    case 'case.assigned':
      return { ...next, claimedBy: event.payload.verifierId, claimedUntil: event.payload.claimedUntil };
    case 'case.released':
      return { ...next, claimedBy: null, claimedUntil: null };
    case 'case.verified': {
      const { deadlineAt, imported: _, ...verdict } = withoutVersion(event.payload);
      return {
        ...next,
        ...entered,
        stage: 'verified',
        verifiedBy: event.actor.id,
        verdict: { ...verdict, verifiedAt: at },
        claimedBy: null,
        claimedUntil: null,
        deadlineAt,
      };
    }
    case 'case.referred': {
      const { deadlineAt, imported: _, ...referral } = withoutVersion(event.payload);
      return {
        ...next,
        ...entered,
        stage: 'referred',
        referral: { ...referral, referredAt: at },
        deadlineAt,
      };
    }
    case 'case.penalty_issued': {
      const { deadlineAt, fine, imported: _, ...penalty } = withoutVersion(event.payload);
      return {
        ...next,
        ...entered,
        stage: 'penalty_issued',
        penalty: { ...penalty, fine: { amount: Number(fine.amount), currency: fine.currency } },
        penaltyRecordedBy: event.actor.id,
        decisionNo: penalty.decisionNo,
        deadlineAt,
      };
    }
    case 'case.appeal_filed': {
      const { imported: _, ...appeal } = withoutVersion(event.payload);
      return { ...next, appeal: { ...appeal, filedBy: event.actor.id, status: 'pending' } };
    }
    case 'case.appeal_decided': {
      if (state.appeal === null) throw new Error(`appeal decided on case ${state.id} without an appeal`);
      const { decision, note } = event.payload;
      return {
        ...next,
        appeal: { ...state.appeal, status: decision, decidedBy: event.actor.id, decidedAt: at, note },
      };
    }
    case 'case.closed':
      return {
        ...next,
        ...entered,
        stage: 'closed',
        outcome: event.payload.outcome,
        claimedBy: null,
        claimedUntil: null,
        deadlineAt: null,
      };
    case 'case.duplicate_detected':
      return { ...next, duplicateOf: event.payload.duplicateOf };
    case 'case.report_merged': {
      const mergedReports = state.mergedReports + 1;
      return { ...next, mergedReports, priority: priorityAfterMerges(state.priority, mergedReports) };
    }
    case 'case.related_linked': {
      const { relatedCaseId } = event.payload;
      return state.relatedCases.includes(relatedCaseId)
        ? next
        : { ...next, relatedCases: [...state.relatedCases, relatedCaseId] };
    }
    case 'case.topics_changed': {
      const { added, removed } = event.payload;
      const topics = new Set([...state.topics, ...added]);
      for (const code of removed) topics.delete(code);
      return { ...next, topics: [...topics].sort() };
    }
    case 'case.note_added':
    case 'case.evidence_added':
    case 'case.sla_breached':
    case 'case.personal_data_erased':
    case 'case.file_attached':
      return next;
    default:
      return assertNever(event);
  }
}

/** The state of a case after its events (in seq order); null when there are none. */
export function fold(events: Iterable<StoredEvent>): CaseState | null {
  let state: CaseState | null = null;
  for (const event of events) state = evolve(state, event);
  return state;
}

/** The case as it stood at `asOf`: its events up to and including that instant. */
export function foldAsOf(events: Iterable<StoredEvent>, asOf: Date): CaseState | null {
  let state: CaseState | null = null;
  for (const event of events) {
    if (Date.parse(event.occurredAt) > asOf.getTime()) break;
    state = evolve(state, event);
  }
  return state;
}
