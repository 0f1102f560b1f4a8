import { hasLiveClaim, isAppealPending } from './case-state.ts';
import type { CaseState } from './case-state.ts';
import type { CommandOf, CommandPayloads, CommandType } from './commands.ts';
import type { DecisionContext } from './decision.ts';
import { mayAttachFile } from './files.ts';
import { reject } from './problems.ts';
import type { Rejection } from './problems.ts';

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

const verifierIsNotSubmitter: CaseGuard = ({ state, ctx }) =>
  state.submittedBy === ctx.actor.id
    ? reject('guard_failed', 'the verifier of a case may not be the clerk who submitted it')
    : null;

const notClaimedByOther: CaseGuard = ({ state, ctx }) =>
  hasLiveClaim(state, ctx.now) && state.claimedBy !== ctx.actor.id
    ? reject('claimed_by_other', `the case is claimed by another verifier until ${state.claimedUntil}`)
    : null;

const verdictHasEvidence: Guard<'verify'> = ({ payload }) =>
  (payload.verdict === 'false' || payload.verdict === 'misleading') && payload.evidence.length === 0
    ? reject('guard_failed', `a verdict of ${payload.verdict} needs at least one evidence item`)
    : null;

const recorderIsNotVerifier: CaseGuard = ({ state, ctx }) =>
  state.verifiedBy === ctx.actor.id
    ? reject('guard_failed', 'the supervisor who records a penalty may not be the verifier of the case')
    : null;

const penaltyHasLegalBasis: Guard<'record-penalty'> = ({ payload }) =>
  payload.legalBasis.length === 0 ? reject('guard_failed', 'a penalty needs at least one legal basis') : null;

const decisionNoIsUnused: Guard<'record-penalty'> = ({ payload, ctx }) => {
  if (ctx.penalty === undefined) throw new Error('record-penalty needs ctx.penalty');
  return ctx.penalty.decisionNoTaken
    ? reject('duplicate_decision', `decision number ${payload.decisionNo} is already used`)
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

const noAppealPending: CaseGuard = ({ state }) =>
  isAppealPending(state) ? reject('guard_failed', 'an appeal is pending') : null;

const appealIsPending: CaseGuard = ({ state }) =>
  isAppealPending(state) ? null : reject('guard_failed', 'there is no pending appeal to decide');

const decidedByOtherThanRecorder: CaseGuard = ({ state, ctx }) =>
  state.penaltyRecordedBy === ctx.actor.id
    ? reject('guard_failed', 'the supervisor who decides an appeal may not be the one who recorded the penalty')
    : null;

const reasonIsGiven: Guard<'withdraw'> = ({ payload }) =>
  /\S/u.test(payload.reason) ? null : reject('guard_failed', 'a withdrawal needs a reason');

const GUARDS: { [T in CommandType]: readonly Guard<T>[] } = {
  // A duplicate submission is accepted and closed as duplicate, never refused.
  submit: [],
  claim: [verifierIsNotSubmitter, notClaimedByOther],
  verify: [verifierIsNotSubmitter, notClaimedByOther, verdictHasEvidence],
  refer: [],
  'record-penalty': [recorderIsNotVerifier, penaltyHasLegalBasis, decisionNoIsUnused, documentsNameDecisionFiles],
  'record-no-violation': [],
  'file-appeal': [noAppealPending],
  'decide-appeal': [appealIsPending, decidedByOtherThanRecorder],
  close: [noAppealPending],
  withdraw: [reasonIsGiven],
  'add-note': [],
  'add-evidence': [],
  'attach-file': [attachedByCaseParty],
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
