import { canSeeCase } from './access.ts';
import type { CaseState } from './case-state.ts';
import { COMMANDS, isAllowedFrom, mayRun } from './commands.ts';
import type { Command, CommandOf } from './commands.ts';
import { deadlineAfter } from './decision.ts';
import type { Decision, DecisionContext } from './decision.ts';
import { draft } from './events.ts';
import type { EventDraft } from './events.ts';
import { checkGuards } from './guards.ts';
import { decideSubmit } from './intake.ts';
import { reject } from './problems.ts';
import type { ProblemCode } from './problems.ts';
import { assertNever, isDismissingVerdict } from './stages.ts';

function refuse(code: ProblemCode, detail: string): Decision {
  return { ok: false, rejection: reject(code, detail) };
}

/**
 * Decides what a command does to a case: the events to append, or why not. Checks in
 * order: the actor's roles, the case's existence and visibility, expectedVersion, the
 * stage rule of the transition table, then the command's guards.
 */
export function decide(state: CaseState | null, command: Command, ctx: DecisionContext): Decision {
  if (!mayRun(command.type, ctx.actor.roles)) {
    return refuse('forbidden', `${command.type} needs one of the roles ${COMMANDS[command.type].roles.join(', ')}`);
  }
  if (state !== null && state.id !== command.caseId) {
    throw new Error(`state of case ${state.id} given for a command on case ${command.caseId}`);
  }
  if (command.type === 'submit') {
    if (state !== null) return refuse('invalid_transition', `case ${command.caseId} already exists`);
    return { ok: true, events: decideSubmit(command, ctx) };
  }
  if (state === null || !canSeeCase(ctx.actor, state)) {
    return refuse('not_found', `no case ${command.caseId}`);
  }
  if (command.expectedVersion !== undefined && command.expectedVersion !== state.version) {
    return refuse(
      'version_conflict',
      `expected version ${command.expectedVersion}, the case is at version ${state.version}`,
    );
  }
  if (!isAllowedFrom(command.type, state.stage)) {
    return refuse('invalid_transition', `${command.type} is not allowed in stage ${state.stage}`);
  }
  const rejection = checkGuards(state, command, ctx);
  if (rejection !== null) return { ok: false, rejection };
  return { ok: true, events: eventsOf(state, command, ctx) };
}

function eventsOf(
  state: CaseState,
  command: Exclude<Command, CommandOf<'submit'>>,
  ctx: DecisionContext,
): EventDraft[] {
  const id = state.id;
  const { now, sla } = ctx;
  switch (command.type) {
    case 'claim':
      return [draft(id, 'case.claimed', { claimedUntil: deadlineAfter(now, ctx.claimLeaseMs) })];
    case 'assign': {
      const { verifierId } = command.payload;
      return [draft(id, 'case.assigned', { verifierId, claimedUntil: deadlineAfter(now, ctx.claimLeaseMs) })];
    }
    case 'release':
      return [draft(id, 'case.released', { verifierId: state.claimedBy ?? '' })];
    case 'verify': {
      const { verdict, rationale, evidence } = command.payload;
      const dismissed = isDismissingVerdict(verdict);
      const verified = draft(id, 'case.verified', {
        verdict,
        rationale,
        evidence,
        deadlineAt: dismissed ? null : deadlineAfter(now, sla.verified),
      });
      return dismissed ? [verified, draft(id, 'case.closed', { outcome: 'dismissed' })] : [verified];
    }
    case 'refer':
      return [draft(id, 'case.referred', { ...command.payload, deadlineAt: deadlineAfter(now, sla.referred) })];
    case 'record-penalty':
      return [penaltyIssued(state, command, ctx)];
    case 'record-no-violation':
      return [draft(id, 'case.closed', { outcome: 'no_violation', ...command.payload })];
    case 'file-appeal':
      return [draft(id, 'case.appeal_filed', command.payload)];
    case 'decide-appeal': {
      const decided = draft(id, 'case.appeal_decided', command.payload);
      return command.payload.decision === 'overturned'
        ? [decided, draft(id, 'case.closed', { outcome: 'penalty_overturned' })]
        : [decided];
    }
    case 'close':
      return [draft(id, 'case.closed', { outcome: 'penalty_enforced', ...command.payload })];
    case 'withdraw':
      return [draft(id, 'case.closed', { outcome: 'withdrawn', reason: command.payload.reason.trim() })];
    case 'add-note':
      return [draft(id, 'case.note_added', command.payload)];
    case 'add-evidence':
      return [draft(id, 'case.evidence_added', command.payload)];
    case 'attach-file': {
      // The name and description stay out of the trail: they are personal data.
      const { fileId, sha256, size, mediaType, kind } = command.payload;
      return [draft(id, 'case.file_attached', { fileId, sha256, size, mediaType, kind })];
    }
    case 'change-topics': {
      // What changes: codes the case lacks are added, codes it has are removed.
      const added = command.payload.add.filter((code) => !state.topics.includes(code));
      const removed = command.payload.remove.filter((code) => state.topics.includes(code));
      return [draft(id, 'case.topics_changed', { added, removed })];
    }
    default:
      return assertNever(command);
  }
}

/** The subject's name and handle stay out of the trail: only their digest goes in. */
function penaltyIssued(state: CaseState, command: CommandOf<'record-penalty'>, ctx: DecisionContext): EventDraft {
  const penalty = ctx.penalty;
  if (penalty === undefined) throw new Error('record-penalty needs ctx.penalty');
  const { subject, fine, documents, ...rest } = command.payload;
  const named = subject.accountHandle !== undefined || subject.name !== undefined;
  if (named && penalty.subjectDigest === null) throw new Error('a named penalty subject needs its digest');
  return draft(state.id, 'case.penalty_issued', {
    ...rest,
    subject: named && penalty.subjectDigest !== null ? { digest: penalty.subjectDigest } : null,
    fine: { amount: String(fine.amount), currency: fine.currency },
    ...(documents === undefined ? {} : { documents }),
    deadlineAt: deadlineAfter(ctx.now, ctx.sla.penalty_issued),
  });
}
