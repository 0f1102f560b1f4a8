import type { CaseState } from './case-state.ts';
import type { Actor } from './events.ts';
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
