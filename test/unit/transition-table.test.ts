import { describe, expect, it } from 'vitest';
import { COMMAND_TYPES, COMMANDS, QUEUE_NAMES, STAGES, decide } from '../../src/domain/index.ts';
import type { CaseState, CommandType, Stage } from '../../src/domain/index.ts';
import { ANYONE, BODIES, SUPERVISOR, VERIFIER, createWorld, verifyBody } from './domain-world.ts';

// docs/design.md §2, transcribed by hand: the stages each command may run from, and where it leads
// with the valid bodies of domain-world.ts ('same' = the stage does not change).
const DESIGN: Record<CommandType, { from: readonly Stage[]; to: Stage | 'same' }> = {
  submit: { from: [], to: 'received' },
  claim: { from: ['received'], to: 'received' },
  assign: { from: ['received'], to: 'received' },
  release: { from: ['received'], to: 'received' },
  verify: { from: ['received'], to: 'verified' },
  refer: { from: ['verified'], to: 'referred' },
  'record-penalty': { from: ['referred'], to: 'penalty_issued' },
  'record-no-violation': { from: ['referred'], to: 'closed' },
  'file-appeal': { from: ['penalty_issued'], to: 'penalty_issued' },
  'decide-appeal': { from: ['penalty_issued'], to: 'penalty_issued' },
  close: { from: ['penalty_issued'], to: 'closed' },
  withdraw: { from: ['received', 'verified', 'referred', 'penalty_issued'], to: 'closed' },
  'add-note': { from: ['received', 'verified', 'referred', 'penalty_issued', 'closed'], to: 'same' },
  'add-evidence': { from: ['received', 'verified', 'referred', 'penalty_issued'], to: 'same' },
  'attach-file': { from: ['received', 'verified', 'referred', 'penalty_issued'], to: 'same' },
  'change-topics': { from: ['received', 'verified', 'referred', 'penalty_issued', 'closed'], to: 'same' },
};

/** A case in `stage` on which `type` passes every guard, so only the stage rule can refuse. */
function caseIn(stage: Stage, type: CommandType): CaseState {
  const world = createWorld();
  const id = world.submit();
  if (stage === 'closed') return world.must('withdraw', id, BODIES.withdraw, SUPERVISOR);
  if (stage === 'received') {
    // verify needs the live claim of its caller, release a claim to release.
    if (type === 'verify' || type === 'release') world.must('claim', id, {}, ANYONE);
    return world.state(id);
  }
  world.claimAndVerify(id, verifyBody(), VERIFIER);
  if (stage === 'verified') return world.state(id);
  world.must('refer', id, BODIES.refer, SUPERVISOR);
  if (stage === 'referred') return world.state(id);
  world.must('record-penalty', id, BODIES['record-penalty'], SUPERVISOR);
  if (type === 'decide-appeal') world.must('file-appeal', id, BODIES['file-appeal'], SUPERVISOR);
  return world.state(id);
}

const PAIRS = STAGES.flatMap((stage) => COMMAND_TYPES.map((type) => ({ stage, type })));

describe('transition table (docs/design.md §2)', () => {
  it('covers the 5 stages x 16 commands', () => {
    expect(PAIRS).toHaveLength(80);
    expect(COMMAND_TYPES).toEqual(Object.keys(DESIGN));
  });

  it.each(PAIRS)('$type in $stage is allowed exactly when docs/design.md §2 lists the stage', ({ stage, type }) => {
    const state = caseIn(stage, type);
    const world = createWorld();
    const command = world.commandOf(type, state.id, BODIES[type]);
    const decision = decide(state, command, world.contextFor(ANYONE, command, new Date(state.updatedAt)));

    if (!DESIGN[type].from.includes(stage)) {
      expect(decision).toEqual({
        ok: false,
        rejection:
          type === 'submit'
            ? { code: 'invalid_transition', detail: `case ${state.id} already exists` }
            : { code: 'invalid_transition', detail: `${type} is not allowed in stage ${stage}` },
      });
      return;
    }
    expect(decision.ok).toBe(true);
    if (!decision.ok) return;
    const stageEvents = decision.events.filter((e) => e.caseId === state.id);
    const closed = stageEvents.find((e) => e.type === 'case.closed');
    const expected = DESIGN[type].to === 'same' ? stage : DESIGN[type].to;
    const entered: Record<string, Stage> = {
      'case.verified': 'verified',
      'case.referred': 'referred',
      'case.penalty_issued': 'penalty_issued',
    };
    const reached = closed ? 'closed' : (stageEvents.map((e) => entered[e.type]).find((s) => s !== undefined) ?? stage);
    expect(reached).toBe(expected);
    expect(COMMANDS[type].to).toContain(reached);
  });

  it('submit creates a case only where none exists', () => {
    const world = createWorld();
    const command = world.commandOf('submit', '00000000-0000-4000-9000-000000000099', BODIES.submit);
    const decision = decide(null, command, world.contextFor(ANYONE, command));
    expect(decision.ok && decision.events.map((e) => e.type)).toEqual(['case.received']);
  });

  it('every command but submit answers not_found on a missing case', () => {
    const world = createWorld();
    for (const type of COMMAND_TYPES.filter((t) => t !== 'submit')) {
      const command = world.commandOf(type, '00000000-0000-4000-9000-000000000099', BODIES[type]);
      expect(decide(null, command, world.contextFor(ANYONE, command))).toEqual({
        ok: false,
        rejection: { code: 'not_found', detail: 'no case 00000000-0000-4000-9000-000000000099' },
      });
    }
  });

  it('runs each command on the queue of its stage', () => {
    const queues = Object.fromEntries(COMMAND_TYPES.map((t) => [t, COMMANDS[t].queue]));
    expect(queues).toEqual({
      submit: 'intake',
      claim: 'verification',
      assign: 'verification',
      release: 'verification',
      verify: 'verification',
      'add-evidence': 'verification',
      'attach-file': 'verification',
      'change-topics': 'verification',
      refer: 'referral',
      'record-no-violation': 'referral',
      'record-penalty': 'penalty',
      'file-appeal': 'penalty',
      'decide-appeal': 'penalty',
      close: 'closure',
      withdraw: 'closure',
      'add-note': 'intake',
    });
    expect(QUEUE_NAMES).toEqual([
      'intake',
      'verification',
      'referral',
      'penalty',
      'closure',
      'events',
      'sla',
      'webhooks',
    ]);
  });

  it('lets each role run exactly the commands of docs/design.md §1 and §2', () => {
    const roles = Object.fromEntries(COMMAND_TYPES.map((t) => [t, [...COMMANDS[t].roles]]));
    expect(roles).toEqual({
      submit: ['clerk'],
      claim: ['verifier'],
      assign: ['supervisor'],
      release: ['verifier', 'supervisor'],
      verify: ['verifier'],
      refer: ['supervisor'],
      'record-penalty': ['supervisor'],
      'record-no-violation': ['supervisor'],
      'file-appeal': ['supervisor'],
      'decide-appeal': ['supervisor'],
      close: ['supervisor'],
      withdraw: ['supervisor'],
      'add-note': ['clerk', 'verifier', 'supervisor'],
      'add-evidence': ['verifier', 'supervisor'],
      'attach-file': ['clerk', 'verifier', 'supervisor'],
      'change-topics': ['verifier', 'supervisor'],
    });
  });
});
