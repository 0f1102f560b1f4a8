// Test harness, not a test: an in-memory stand-in for the worker. It gathers the decision
// context the way the worker does (dedupe candidates, decision numbers, digests), then
// decides, chains and evolves, keeping every case's state and events.
import {
  COMMANDS,
  chainEvents,
  decide,
  decisionNoKey,
  evolve,
  intakeKeys,
  contentHash,
  headOf,
  itemPersonalData,
  personalDigest,
  subjectPersonalData,
} from '../../src/domain/index.ts';
import type {
  Actor,
  CaseState,
  ChainHead,
  Command,
  CommandType,
  Decision,
  DecisionContext,
  StoredEvent,
} from '../../src/domain/index.ts';

export {
  ADMIN,
  ANYONE,
  AUTHORITY,
  BODIES,
  CLERK,
  CLERK_2,
  EVIDENCE,
  SUPERVISOR,
  SUPERVISOR_2,
  VERIFIER,
  VERIFIER_2,
  penaltyBody,
  submitBody,
  verifyBody,
} from '../support/fixtures.ts';
import {
  ADMIN,
  ANYONE,
  CLERK,
  CLERK_2,
  SUPERVISOR,
  SUPERVISOR_2,
  VERIFIER,
  VERIFIER_2,
  submitBody,
} from '../support/fixtures.ts';

/** The users an assignment may name; any other id is no user. */
const KNOWN_USERS: readonly Actor[] = [CLERK, CLERK_2, VERIFIER, VERIFIER_2, SUPERVISOR, SUPERVISOR_2, ADMIN, ANYONE];

const uuid = (prefix: string, n: number) => `00000000-0000-4000-${prefix}-${String(n).padStart(12, '0')}`;

const HMAC_KEY = 'test-hmac-key';
export const T0 = new Date('2026-11-28T09:30:00.000Z');
export const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
export const DAY = 24 * HOUR;
export const SLA = { received: DAY, verified: 2 * DAY, referred: 30 * DAY, penalty_issued: 60 * DAY };
export const CLAIM_LEASE_MS = 30 * MINUTE;

export type World = ReturnType<typeof createWorld>;

export function createWorld() {
  let clock = T0;
  let caseCount = 0;
  let commandCount = 0;
  const states = new Map<string, CaseState>();
  const events: StoredEvent[] = [];

  const stateOf = (caseId: string): CaseState | null => states.get(caseId) ?? null;

  function contextFor(actor: Actor, command: Command, now = clock): DecisionContext {
    const ctx: DecisionContext = { actor, now, sla: SLA, claimLeaseMs: CLAIM_LEASE_MS };
    if (command.type === 'submit') {
      const { item } = command.payload;
      const keys = intakeKeys(item.platform, item.url);
      const hash = contentHash(item.content);
      const others = [...states.values()].filter((s) => s.id !== command.caseId);
      ctx.intake = {
        reference: `CT-2026-${String(caseCount).padStart(6, '0')}`,
        personalDigest: personalDigest(HMAC_KEY, itemPersonalData(item)),
        duplicateOf: others.find((s) => keys.includes(s.fingerprint) && s.stage !== 'closed') ?? null,
        related: others.filter((s) => s.contentHash === hash && !keys.includes(s.fingerprint)),
        earlier: others.some((s) => keys.includes(s.fingerprint) && s.stage !== 'closed')
          ? []
          : others.filter((s) => keys.includes(s.fingerprint) && s.outcome !== 'duplicate'),
      };
    }
    if (command.type === 'assign') {
      const assignee = KNOWN_USERS.find((user) => user.id === command.payload.verifierId);
      ctx.assignee = assignee === undefined ? null : { ...assignee, disabled: false };
    }
    if (command.type === 'record-penalty') {
      const subject = subjectPersonalData(command.payload.subject);
      ctx.penalty = {
        subjectDigest: subject === null ? null : personalDigest(HMAC_KEY, subject),
        decisionNoTaken: [...states.values()].some(
          (s) => s.decisionNo !== null && decisionNoKey(s.decisionNo) === decisionNoKey(command.payload.decisionNo),
        ),
        files: events.flatMap((e) =>
          e.type === 'case.file_attached' && e.caseId === command.caseId
            ? [{ fileId: e.payload.fileId, kind: e.payload.kind, sha256: e.payload.sha256 }]
            : [],
        ),
      };
    }
    return ctx;
  }

  function commandOf(type: CommandType, caseId: string, body: unknown, expectedVersion?: number): Command {
    commandCount += 1;
    const payload: unknown = COMMANDS[type].payload.parse(body);
    const command = { id: uuid('f000', commandCount), type, caseId, payload };
    return (expectedVersion === undefined ? command : { ...command, expectedVersion }) as Command;
  }

  /** Applies an accepted decision: chains its events per case and evolves each case. */
  function apply(decision: Decision, actor: Actor, commandId: string): StoredEvent[] {
    if (!decision.ok) return [];
    const heads: Record<string, ChainHead> = {};
    for (const d of decision.events) heads[d.caseId] = headOf(stateOf(d.caseId));
    const stored = chainEvents(decision.events, { heads, actor, commandId, occurredAt: clock });
    for (const event of stored) {
      states.set(event.caseId, evolve(stateOf(event.caseId), event));
      events.push(event);
    }
    return stored;
  }

  function run(
    type: CommandType,
    caseId: string,
    body: unknown,
    actor: Actor,
    options: { expectedVersion?: number } = {},
  ): Decision {
    clock = new Date(clock.getTime() + MINUTE);
    const command = commandOf(type, caseId, body, options.expectedVersion);
    const decision = decide(stateOf(caseId), command, contextFor(actor, command));
    apply(decision, actor, command.id);
    return decision;
  }

  /** Runs a command that must be accepted. */
  function must(type: CommandType, caseId: string, body: unknown, actor: Actor): CaseState {
    const decision = run(type, caseId, body, actor);
    if (!decision.ok) throw new Error(`${type} refused: ${decision.rejection.code} ${decision.rejection.detail}`);
    return state(caseId);
  }

  /** Claims the case, then records the verdict: verify needs the caller's live claim. */
  function claimAndVerify(caseId: string, body: unknown, actor: Actor): CaseState {
    must('claim', caseId, {}, actor);
    return must('verify', caseId, body, actor);
  }

  function submit(body: unknown = submitBody(), actor: Actor = CLERK): string {
    caseCount += 1;
    const caseId = uuid('9000', caseCount);
    must('submit', caseId, body, actor);
    return caseId;
  }

  function state(caseId: string): CaseState {
    const s = stateOf(caseId);
    if (s === null) throw new Error(`no case ${caseId}`);
    return s;
  }

  return {
    now: () => clock,
    advance: (ms: number) => {
      clock = new Date(clock.getTime() + ms);
    },
    state,
    stateOf,
    eventsOf: (caseId: string) => events.filter((e) => e.caseId === caseId),
    typesOf: (caseId: string) => events.filter((e) => e.caseId === caseId).map((e) => e.type),
    caseIds: () => [...states.keys()],
    contextFor,
    commandOf,
    run,
    must,
    claimAndVerify,
    submit,
  };
}
