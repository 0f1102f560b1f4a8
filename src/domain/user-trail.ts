import { GENESIS_HASH, hashEvent } from './hashing.ts';
import type { ChainHead, HashedEvent } from './hashing.ts';
import type { Actor } from './events.ts';
import type { Role } from './stages.ts';

// Every change to a user or one of their tokens is an event in a hash chain of its own, one
// chain per user, hashed exactly like a case's chain (hashing.ts): the envelope's caseId
// member holds the user's id and commandId is null. So the case trail's verifier checks it.

export const USER_EVENT_TYPES = [
  'user.created',
  'user.renamed',
  'user.roles_changed',
  'user.disabled',
  'user.enabled',
  'token.created',
  'token.revoked',
] as const;
type UserEventType = (typeof USER_EVENT_TYPES)[number];

type UserEventPayloads = {
  'user.created': { name: string; roles: Role[] };
  'user.renamed': { from: string; to: string };
  /** Who changed whose roles: the actor, this chain's user, and both lists. */
  'user.roles_changed': { from: Role[]; to: Role[] };
  'user.disabled': Record<string, never>;
  'user.enabled': Record<string, never>;
  /** Never the secret: the token's id, when it stops, and its label. */
  'token.created': { tokenId: string; expiresAt: string | null; label: string | null };
  'token.revoked': { tokenId: string };
};

export type UserEventDraft = { [T in UserEventType]: { type: T; payload: UserEventPayloads[T] } }[UserEventType];

export type UserEvent = HashedEvent & { type: UserEventType };

/** The actor of a change made at the machine with the casetrail command (no token involved). */
export const COMMAND_LINE_ACTOR: Actor = { id: 'command-line', roles: [] };

/** The events a change of a user's name, roles or disabled flag appends, in that order. */
export function userChanges(
  before: { name: string; roles: readonly Role[]; disabled: boolean },
  patch: { name?: string; roles?: readonly Role[]; disabled?: boolean },
): UserEventDraft[] {
  const drafts: UserEventDraft[] = [];
  if (patch.name !== undefined && patch.name !== before.name) {
    drafts.push({ type: 'user.renamed', payload: { from: before.name, to: patch.name } });
  }
  if (patch.roles !== undefined && !sameRoles(before.roles, patch.roles)) {
    drafts.push({ type: 'user.roles_changed', payload: { from: [...before.roles], to: [...patch.roles] } });
  }
  if (patch.disabled !== undefined && patch.disabled !== before.disabled) {
    drafts.push({ type: patch.disabled ? 'user.disabled' : 'user.enabled', payload: {} });
  }
  return drafts;
}

function sameRoles(a: readonly Role[], b: readonly Role[]): boolean {
  return a.length === b.length && [...a].sort().join(',') === [...b].sort().join(',');
}

/** Places drafts at the end of a user's chain: seq, prevHash and hash, in list order. */
export function chainUserEvents(
  userId: string,
  drafts: readonly UserEventDraft[],
  options: { head: ChainHead | null; actor: Actor; occurredAt: Date },
): UserEvent[] {
  let head = options.head ?? { seq: 0, hash: GENESIS_HASH };
  const occurredAt = options.occurredAt.toISOString();
  return drafts.map((d) => {
    const envelope = {
      caseId: userId,
      seq: head.seq + 1,
      type: d.type,
      payload: d.payload,
      actor: { id: options.actor.id, roles: [...options.actor.roles] },
      commandId: null,
      occurredAt,
      prevHash: head.hash,
    };
    const hash = hashEvent(envelope);
    head = { seq: envelope.seq, hash };
    return { ...envelope, hash };
  });
}
