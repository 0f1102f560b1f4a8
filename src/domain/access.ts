import type { CaseState } from './case-state.ts';
import type { Actor, EventType, StoredEvent } from './events.ts';
import { assertNever } from './stages.ts';

/**
 * Object-level access: a clerk sees the cases they submitted, a verifier the received
 * cases and those they verified, a supervisor every case, an admin none. A case the actor
 * cannot see answers not_found, so ids cannot be probed.
 */
export function canSeeCase(actor: Actor, state: CaseState): boolean {
  return actor.roles.some((role) => {
    switch (role) {
      case 'supervisor':
        return true;
      case 'clerk':
        return state.submittedBy === actor.id;
      case 'verifier':
        return state.stage === 'received' || state.verifiedBy === actor.id;
      case 'admin':
        return false;
      default:
        return assertNever(role);
    }
  });
}

/** The cases a case names: its related cases and the case it duplicates. */
export function linkedCaseIds(state: CaseState): string[] {
  return state.duplicateOf === null ? [...state.relatedCases] : [...state.relatedCases, state.duplicateOf];
}

export type VisibleLinks = { relatedCases: string[]; duplicateOf: string | null };

/**
 * The links of a case an actor may be shown: only to cases the actor can see, so that a
 * link never tells a clerk the id of a case they cannot read. `linked` holds the states of
 * the linked cases (a missing one is not shown).
 */
export function visibleLinks(actor: Actor, state: CaseState, linked: ReadonlyMap<string, CaseState>): VisibleLinks {
  const readable = (id: string) => {
    const other = linked.get(id);
    return other !== undefined && canSeeCase(actor, other);
  };
  return {
    relatedCases: state.relatedCases.filter(readable),
    duplicateOf: state.duplicateOf !== null && readable(state.duplicateOf) ? state.duplicateOf : null,
  };
}

/** Where events name another case: the member holding its id, and members that identify it too. */
const CASE_LINKS: Partial<Record<EventType, { id: string; alongside: readonly string[] }>> = {
  'case.related_linked': { id: 'relatedCaseId', alongside: [] },
  'case.duplicate_detected': { id: 'duplicateOf', alongside: [] },
  'case.closed': { id: 'duplicateOf', alongside: [] },
  'case.report_merged': { id: 'duplicateCaseId', alongside: ['duplicateReference'] },
};

/** The ids of the other cases an event names. */
export function linkedCaseIdOf(event: Pick<StoredEvent, 'type' | 'payload'>): string | null {
  const link = CASE_LINKS[event.type];
  const id = link === undefined ? undefined : (event.payload as Record<string, unknown>)[link.id];
  return typeof id === 'string' ? id : null;
}

/**
 * An event as an actor may read it: a case it names that the actor cannot see is withheld
 * (its id and reference become null). Such an event no longer hashes to its stored hash:
 * whoever verifies the trail reads it whole (supervisors, bundles).
 */
export function withheldLinks<E extends Pick<StoredEvent, 'type' | 'payload'>>(
  event: E,
  visible: (id: string) => boolean,
): E {
  const link = CASE_LINKS[event.type];
  const id = linkedCaseIdOf(event);
  if (link === undefined || id === null || visible(id)) return event;
  const payload: Record<string, unknown> = { ...(event.payload as Record<string, unknown>), [link.id]: null };
  for (const member of link.alongside) if (member in payload) payload[member] = null;
  return { ...event, payload } as E;
}
