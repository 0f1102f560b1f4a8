import type { StoredEvent } from '../../domain/index.ts';
import type { CaseView } from '../../app/case-queries.ts';
import type { AcceptedCommand } from '../../app/submit-command.ts';
import type { CommandRecord } from '../../app/database.ts';
import { rejectionProblem } from '../problems.ts';
import type {
  AcceptedRepresentation,
  CaseRepresentation,
  CommandRepresentation,
  EventRepresentation,
} from '../schemas/case.schemas.ts';

/** Spreads `{ key: value }` only when value is neither null nor undefined. */
function opt<K extends string, V>(key: K, value: V | null | undefined): { [P in K]?: V } {
  return (value === null || value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}

/**
 * A case as docs/design.md §5 shows it: personal data and links to other cases only as the
 * view carries them (those its reader may see).
 */
export function presentCase(view: CaseView): CaseRepresentation {
  const { state, personal, links } = view;
  const penalty = state.penalty;
  return {
    id: state.id,
    reference: state.reference,
    stage: state.stage,
    outcome: state.outcome,
    version: state.version,
    priority: state.priority,
    category: state.category,
    platform: state.platform,
    claim: state.claim,
    item: { ...state.item, ...personal.item },
    report: state.report,
    submittedBy: state.submittedBy,
    ...opt('claimedBy', state.claimedBy),
    ...opt('claimedUntil', state.claimedUntil),
    ...opt('verdict', state.verdict === null ? null : { ...state.verdict, ...opt('verifiedBy', state.verifiedBy) }),
    ...opt('referral', state.referral),
    ...opt(
      'penalty',
      penalty === null
        ? null
        : {
            decisionNo: penalty.decisionNo,
            authority: penalty.authority,
            issuedAt: penalty.issuedAt,
            legalBasis: penalty.legalBasis,
            ...opt('subject', personal.subject),
            fine: penalty.fine,
            remedies: penalty.remedies,
            facts: penalty.facts,
            ...opt('documents', penalty.documents),
            ...opt('recordedBy', state.penaltyRecordedBy),
          },
    ),
    ...opt('appeal', state.appeal),
    ...opt('duplicateOf', links.duplicateOf),
    ...(links.relatedCases.length === 0 ? {} : { relatedCases: links.relatedCases }),
    topics: state.topics,
    createdAt: state.createdAt,
    updatedAt: state.updatedAt,
    ...opt('deadlineAt', state.deadlineAt),
  };
}

export function presentEvent(event: StoredEvent & { id: string }): EventRepresentation {
  return {
    id: event.id,
    caseId: event.caseId,
    seq: event.seq,
    type: event.type,
    payload: event.payload as Record<string, unknown>,
    actor: event.actor,
    commandId: event.commandId,
    occurredAt: event.occurredAt,
    prevHash: event.prevHash,
    hash: event.hash,
  };
}

export function presentCommand(command: CommandRecord, requestId: string): CommandRepresentation {
  return {
    id: command.id,
    type: command.type,
    caseId: command.caseId,
    status: command.status,
    ...opt('problem', command.problem === null ? null : rejectionProblem(command.problem, requestId)),
    createdAt: command.createdAt,
    ...opt('appliedAt', command.appliedAt),
  };
}

export function presentAccepted(accepted: AcceptedCommand): AcceptedRepresentation {
  return {
    commandId: accepted.commandId,
    caseId: accepted.caseId,
    status: accepted.status,
    ...(accepted.type === 'submit' ? { reference: accepted.reference } : {}),
  };
}
