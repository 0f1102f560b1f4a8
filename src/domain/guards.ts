import { hasLiveClaim, isAppealPending } from './case-state.ts';
import type { CaseState } from './case-state.ts';
import type { CommandOf, CommandPayloads, CommandType } from './commands.ts';
import { DEFAULT_CLOCK_SKEW_MS } from './dates.ts';
import type { DecisionContext } from './decision.ts';
import { mayAttachFile } from './files.ts';
import { reject } from './problems.ts';
import type { FieldProblem, Rejection } from './problems.ts';
import type { ClosePayload } from './schemas.ts';
import { hasVisibleCharacter } from './text.ts';
import type { Remedy } from './stages.ts';

// The rules beyond the stage rule, per command, in the order they are checked: the first
// failure answers. Codes: a live claim of another verifier is claimed_by_other, a decision
// number already used is duplicate_decision (both 409), every other rule guard_failed (422).

type GuardInput<T extends CommandType> = {
  state: CaseState;
  payload: CommandPayloads[T];
  ctx: DecisionContext;
};

type Guard<T extends CommandType> = (input: GuardInput<T>) => Rejection | null;

type CaseGuard = (input: { state: CaseState; ctx: DecisionContext }) => Rejection | null;

/** A duty someone has already done on a case, and who did it. */
const EARLIER_DUTIES = {
  submitter: (state: CaseState) => state.submittedBy,
  verifier: (state: CaseState) => state.verifiedBy,
  recorder: (state: CaseState) => state.penaltyRecordedBy,
} as const;
type EarlierDuty = keyof typeof EARLIER_DUTIES;

/** The duty a command performs; the case's verifier is whoever will verify it (the assignee for assign). */
type LaterDuty = 'verifier' | 'referrer' | 'recorder' | 'decider';

/**
 * Separation of duties (SPEC §12), for every user whatever roles they hold: each pair is
 * one rule with its own message. The submitter of a case is not its verifier, referrer,
 * decision recorder or appeal decider; its verifier is not its referrer, decision recorder
 * or appeal decider; the decision recorder is not the appeal decider.
 */
export const SEPARATION_OF_DUTIES: readonly { earlier: EarlierDuty; later: LaterDuty; detail: string }[] = [
  { earlier: 'submitter', later: 'verifier', detail: 'the verifier of a case may not be the clerk who submitted it' },
  {
    earlier: 'submitter',
    later: 'referrer',
    detail: 'the supervisor who refers a case may not be the one who submitted it',
  },
  {
    earlier: 'submitter',
    later: 'recorder',
    detail: "the supervisor who records the authority's decision may not be the one who submitted the case",
  },
  {
    earlier: 'submitter',
    later: 'decider',
    detail: 'the supervisor who decides an appeal may not be the one who submitted the case',
  },
  { earlier: 'verifier', later: 'referrer', detail: 'the supervisor who refers a case may not be its verifier' },
  {
    earlier: 'verifier',
    later: 'recorder',
    detail: "the supervisor who records the authority's decision may not be the verifier of the case",
  },
  {
    earlier: 'verifier',
    later: 'decider',
    detail: 'the supervisor who decides an appeal may not be the verifier of the case',
  },
  {
    earlier: 'recorder',
    later: 'decider',
    detail: 'the supervisor who decides an appeal may not be the one who recorded the penalty',
  },
];

/** The guard that the one doing `later` (the actor, or whom `who` names) did none of the earlier duties it must be kept from. */
function separated<T extends CommandType>(
  later: LaterDuty,
  who: (input: GuardInput<T>) => string = ({ ctx }) => ctx.actor.id,
): Guard<T> {
  const rules = SEPARATION_OF_DUTIES.filter((rule) => rule.later === later);
  return (input) => {
    const id = who(input);
    const broken = rules.find((rule) => EARLIER_DUTIES[rule.earlier](input.state) === id);
    return broken === undefined ? null : reject('guard_failed', broken.detail);
  };
}

const notClaimedByOther: CaseGuard = ({ state, ctx }) =>
  hasLiveClaim(state, ctx.now) && state.claimedBy !== ctx.actor.id
    ? reject('claimed_by_other', `the case is claimed by another verifier until ${state.claimedUntil}`)
    : null;

/** verify needs the caller's own live claim: a case is worked by the one who holds it. */
const holdsLiveClaim: CaseGuard = ({ state, ctx }) =>
  hasLiveClaim(state, ctx.now) && state.claimedBy === ctx.actor.id
    ? null
    : reject('guard_failed', 'verify needs your live claim on the case: claim it first');

/** A case is assigned to an enabled user who holds the verifier role. */
const assigneeIsVerifier: Guard<'assign'> = ({ payload, ctx }) => {
  if (ctx.assignee === undefined) throw new Error('assign needs ctx.assignee');
  const assignee = ctx.assignee;
  if (assignee === null || assignee.disabled || !assignee.roles.includes('verifier')) {
    return reject('guard_failed', `user ${payload.verifierId} is not an enabled verifier`, [
      { path: 'verifierId', message: 'must name an enabled user with the verifier role' },
    ]);
  }
  return null;
};

/** Assigning over another verifier's live claim would take it away unseen: release it first. */
const assignedOverNoOtherClaim: Guard<'assign'> = ({ state, payload, ctx }) =>
  hasLiveClaim(state, ctx.now) && state.claimedBy !== payload.verifierId
    ? reject('claimed_by_other', `the case is claimed by another verifier until ${state.claimedUntil}`)
    : null;

const claimIsLive: CaseGuard = ({ state, ctx }) =>
  hasLiveClaim(state, ctx.now) ? null : reject('guard_failed', 'the case is not claimed');

/** A claim is released by the verifier holding it or by a supervisor. */
const releasedByHolderOrSupervisor: CaseGuard = ({ state, ctx }) =>
  state.claimedBy === ctx.actor.id || ctx.actor.roles.includes('supervisor')
    ? null
    : reject('claimed_by_other', `the case is claimed by another verifier until ${state.claimedUntil}`);

const verdictHasEvidence: Guard<'verify'> = ({ payload }) =>
  (payload.verdict === 'false' || payload.verdict === 'misleading') && payload.evidence.length === 0
    ? reject('guard_failed', `a verdict of ${payload.verdict} needs at least one evidence item`)
    : null;

const penaltyHasLegalBasis: Guard<'record-penalty'> = ({ payload }) =>
  payload.legalBasis.length === 0 ? reject('guard_failed', 'a penalty needs at least one legal basis') : null;

const decisionNoIsUnused: Guard<'record-penalty'> = ({ payload, ctx }) => {
  if (ctx.penalty === undefined) throw new Error('record-penalty needs ctx.penalty');
  return ctx.penalty.decisionNoTaken
    ? reject('duplicate_decision', `decision number ${payload.decisionNo} is already used`)
    : null;
};

/**
 * The authority decides on a referral, so its penalty is issued after it. The referral's
 * time is the server's and the issue date a person's, so the clock skew is allowed.
 */
const issuedAfterReferral: Guard<'record-penalty'> = ({ state, payload, ctx }) => {
  const referredAt = state.referral?.referredAt;
  if (referredAt === undefined) return null;
  const skew = ctx.clockSkewMs ?? DEFAULT_CLOCK_SKEW_MS;
  return Date.parse(payload.issuedAt) < Date.parse(referredAt) - skew
    ? reject('guard_failed', `the penalty cannot be issued before the case was referred (${referredAt})`, [
        { path: 'issuedAt', message: 'must not be before the referral' },
      ])
    : null;
};

/** An appeal is against a penalty, so it is filed once the penalty is issued. */
const filedAfterPenalty: Guard<'file-appeal'> = ({ state, payload }) => {
  const issuedAt = state.penalty?.issuedAt;
  if (issuedAt === undefined) return null;
  return Date.parse(payload.filedAt) < Date.parse(issuedAt)
    ? reject('guard_failed', `the appeal cannot be filed before the penalty was issued (${issuedAt})`, [
        { path: 'filedAt', message: 'must not be before the penalty was issued' },
      ])
    : null;
};

/** A decision document that names an uploaded file names one of this case, of kind decision, with its hash. */
const documentsNameDecisionFiles: Guard<'record-penalty'> = ({ payload, ctx }) => {
  if (ctx.penalty === undefined) throw new Error('record-penalty needs ctx.penalty');
  for (const [i, document] of (payload.documents ?? []).entries()) {
    if (document.fileId === undefined) continue;
    const file = (ctx.penalty.files ?? []).find((f) => f.fileId === document.fileId);
    if (file === undefined)
      return reject('guard_failed', `documents.${i}: file ${document.fileId} is not a file of this case`);
    if (file.kind !== 'decision')
      return reject('guard_failed', `documents.${i}: file ${document.fileId} is of kind ${file.kind}, not decision`);
    if (file.sha256 !== document.sha256)
      return reject('guard_failed', `documents.${i}: the sha256 given is not the one of file ${document.fileId}`);
  }
  return null;
};

/** Who may attach a file: see mayAttachFile (files.ts). */
const attachedByCaseParty: CaseGuard = ({ state, ctx }) => mayAttachFile(state, ctx.actor, ctx.now);

/** The verifier holding the case's live claim, or a supervisor, tags it with topics. */
const topicsByClaimantOrSupervisor: CaseGuard = ({ state, ctx }) =>
  ctx.actor.roles.includes('supervisor') || (hasLiveClaim(state, ctx.now) && state.claimedBy === ctx.actor.id)
    ? null
    : reject('guard_failed', "only the verifier holding the case's claim or a supervisor may change its topics");

const noAppealPending: CaseGuard = ({ state }) =>
  isAppealPending(state) ? reject('guard_failed', 'an appeal is pending') : null;

const appealIsPending: CaseGuard = ({ state }) =>
  isAppealPending(state) ? null : reject('guard_failed', 'there is no pending appeal to decide');

type ComplianceFlag = keyof ClosePayload['compliance'];

/**
 * The compliance flag that confirms each remedy an authority can order, and what is open
 * while it is not set. `other` has no flag: the close note records how it was met.
 */
const REMEDY_COMPLIANCE: Readonly<Record<Remedy, { flag: ComplianceFlag; open: string; order: string } | null>> = {
  remove_content: { flag: 'contentRemoved', open: 'the content is not removed', order: 'removal of the content' },
  publish_correction: {
    flag: 'correctionPublished',
    open: 'the correction is not published',
    order: 'publication of a correction',
  },
  suspend_account: {
    flag: 'accountSuspended',
    open: 'the account is not suspended',
    order: 'suspension of the account',
  },
  other: null,
};

/** Enforced means complied with: every ordered remedy, and a fine above zero paid. */
const penaltyIsComplied: Guard<'close'> = ({ state, payload }) => {
  const penalty = state.penalty;
  if (penalty === null) return null;
  const open: { text: string; problem: FieldProblem }[] = [];
  for (const remedy of penalty.remedies) {
    const rule = REMEDY_COMPLIANCE[remedy];
    if (rule === null || payload.compliance[rule.flag] === true) continue;
    const message = `the ordered ${rule.order} is not complied with`;
    open.push({ text: rule.open, problem: { path: `compliance.${rule.flag}`, message } });
  }
  if (penalty.fine.amount > 0 && !payload.compliance.finePaid) {
    open.push({
      text: 'the fine is not paid',
      problem: { path: 'compliance.finePaid', message: 'the fine is not paid' },
    });
  }
  if (open.length === 0) return null;
  return reject(
    'guard_failed',
    `the penalty is not complied with: ${open.map((o) => o.text).join('; ')}`,
    open.map((o) => o.problem),
  );
};

const reasonIsGiven: Guard<'withdraw'> = ({ payload }) =>
  hasVisibleCharacter(payload.reason) ? null : reject('guard_failed', 'a withdrawal needs a reason');

const GUARDS: { [T in CommandType]: readonly Guard<T>[] } = {
  // A duplicate submission is accepted and closed as duplicate, never refused.
  submit: [],
  claim: [separated('verifier'), notClaimedByOther],
  assign: [assigneeIsVerifier, separated('verifier', ({ payload }) => payload.verifierId), assignedOverNoOtherClaim],
  release: [claimIsLive, releasedByHolderOrSupervisor],
  verify: [separated('verifier'), notClaimedByOther, holdsLiveClaim, verdictHasEvidence],
  refer: [separated('referrer')],
  'record-penalty': [
    separated('recorder'),
    penaltyHasLegalBasis,
    issuedAfterReferral,
    decisionNoIsUnused,
    documentsNameDecisionFiles,
  ],
  'record-no-violation': [separated('recorder')],
  'file-appeal': [noAppealPending, filedAfterPenalty],
  'decide-appeal': [appealIsPending, separated('decider')],
  close: [noAppealPending, penaltyIsComplied],
  withdraw: [reasonIsGiven],
  'add-note': [],
  'add-evidence': [],
  'attach-file': [attachedByCaseParty],
  'change-topics': [topicsByClaimantOrSupervisor],
};

export function checkGuards<T extends CommandType>(
  state: CaseState,
  command: CommandOf<T>,
  ctx: DecisionContext,
): Rejection | null {
  const guards: readonly Guard<T>[] = GUARDS[command.type];
  for (const guard of guards) {
    const rejection = guard({ state, payload: command.payload, ctx });
    if (rejection !== null) return rejection;
  }
  return null;
}
