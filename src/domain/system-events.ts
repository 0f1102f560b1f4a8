import type { CaseState } from './case-state.ts';
import { draft } from './events.ts';
import type { Actor, EventDraft, PersonalField } from './events.ts';
import type { OpenStage } from './stages.ts';

/** The actor of events no person caused: SLA breaches, retention erasures. */
export const SYSTEM_ACTOR: Actor = { id: 'system', roles: [] };

/** Identifies one visit of a case to a stage: what an SLA timer was set for. */
export type StageVisit = { stage: OpenStage; stageEnteredAt: string };

/**
 * A timer fired: the case breached its SLA if it is still in the same stage visit and its
 * deadline has passed. Nothing happens when the case has moved on. Appending the breach
 * once per visit rests on the caller running each visit's timer as one command (e.g. a
 * command id derived from the case, the stage and stageEnteredAt).
 */
export function decideSlaBreach(state: CaseState | null, visit: StageVisit, now: Date): EventDraft[] {
  if (state === null || state.stage !== visit.stage || state.stageEnteredAt !== visit.stageEnteredAt) return [];
  if (state.deadlineAt === null || Date.parse(state.deadlineAt) > now.getTime()) return [];
  return [draft(state.id, 'case.sla_breached', { stage: visit.stage, deadlineAt: state.deadlineAt })];
}

/** Records that a case's personal data (or, with references, those values) was deleted; the chain stays verifiable. */
export function decideErasure(
  state: CaseState | null,
  erasure: { fields: PersonalField[]; reason: string; references?: readonly string[] },
): EventDraft[] {
  if (state === null) return [];
  const { fields, reason, references } = erasure;
  return [
    draft(state.id, 'case.personal_data_erased', {
      fields: [...fields],
      reason,
      ...(references === undefined ? {} : { references: [...references] }),
    }),
  ];
}
