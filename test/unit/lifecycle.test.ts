import { describe, expect, it } from 'vitest';
import { fold, verifyChain } from '../../src/domain/index.ts';
import type { CommandType, EventType, OpenStage } from '../../src/domain/index.ts';
import {
  AUTHORITY,
  BODIES,
  CLERK,
  CLERK_2,
  SUPERVISOR,
  SUPERVISOR_2,
  VERIFIER,
  createWorld,
  penaltyBody,
  submitBody,
  verifyBody,
} from './domain-world.ts';
import type { World } from './domain-world.ts';

/** Every case of the world: its fold equals its step-by-step state and its chain verifies. */
function expectFoldsToMatch(world: World) {
  for (const id of world.caseIds()) {
    expect(fold(world.eventsOf(id))).toEqual(world.state(id));
    expect(verifyChain(world.eventsOf(id))).toEqual({ ok: true });
  }
}

function expectTypes(world: World, id: string, types: string[]) {
  expect(world.typesOf(id)).toEqual(types.map((t) => `case.${t}` as EventType));
}

describe('lifecycle paths fold back to the state built step by step', () => {
  it('dismissed: claimed, noted, verified accurate', () => {
    const world = createWorld();
    const id = world.submit();
    world.must('claim', id, {}, VERIFIER);
    world.must('add-note', id, BODIES['add-note'], VERIFIER);
    const state = world.must('verify', id, verifyBody('accurate', []), VERIFIER);
    expectTypes(world, id, ['received', 'claimed', 'note_added', 'verified', 'closed']);
    expect(state).toMatchObject({
      stage: 'closed',
      outcome: 'dismissed',
      version: 5,
      deadlineAt: null,
      claimedBy: null,
    });
    expect(state.verdict).toEqual({
      verdict: 'accurate',
      rationale: verifyBody().rationale,
      evidence: [],
      verifiedAt: state.updatedAt,
    });
    expectFoldsToMatch(world);
  });

  it('duplicate: a second report of the same item closes and is merged into the open case', () => {
    const world = createWorld();
    const original = world.submit(submitBody({ priority: 'low' }));
    const dup = world.submit(
      submitBody({ url: 'https://WWW.facebook.com/groups/123/posts/456/?fbclid=IwAR0&utm_source=zalo' }),
      CLERK_2,
    );
    expectTypes(world, dup, ['received', 'duplicate_detected', 'closed']);
    expectTypes(world, original, ['received', 'report_merged']);
    expect(world.state(dup)).toMatchObject({
      stage: 'closed',
      outcome: 'duplicate',
      duplicateOf: original,
      relatedCases: [],
    });
    expect(world.state(original)).toMatchObject({
      stage: 'received',
      mergedReports: 1,
      priority: 'normal',
      version: 2,
    });
    expect(world.eventsOf(original)[1]?.payload).toEqual({
      duplicateCaseId: dup,
      duplicateReference: 'CT-2026-000002',
    });
    expectFoldsToMatch(world);
  });

  it('no_violation: verified false with evidence, evidence added, referred, no violation found', () => {
    const world = createWorld();
    const id = world.submit();
    world.must('claim', id, {}, VERIFIER);
    world.must('verify', id, verifyBody('false'), VERIFIER);
    world.must('add-evidence', id, BODIES['add-evidence'], VERIFIER);
    world.must('refer', id, BODIES.refer, SUPERVISOR);
    const state = world.must('record-no-violation', id, BODIES['record-no-violation'], SUPERVISOR);
    expectTypes(world, id, ['received', 'claimed', 'verified', 'evidence_added', 'referred', 'closed']);
    expect(state).toMatchObject({ stage: 'closed', outcome: 'no_violation', version: 6 });
    expect(state.referral).toEqual({
      authority: AUTHORITY,
      referenceNo: 'CV-2026-77',
      dueAt: '2026-12-28T00:00:00.000Z',
      referredAt: world.eventsOf(id)[4]?.occurredAt,
    });
    expectFoldsToMatch(world);
  });

  it('penalty_enforced: penalty, appeal upheld, closed with compliance', () => {
    const world = createWorld();
    const id = world.submit();
    world.claimAndVerify(id, verifyBody('misleading'), VERIFIER);
    world.must('refer', id, BODIES.refer, SUPERVISOR);
    world.must('record-penalty', id, penaltyBody(), SUPERVISOR);
    world.must('file-appeal', id, BODIES['file-appeal'], SUPERVISOR);
    world.must('decide-appeal', id, BODIES['decide-appeal'], SUPERVISOR_2);
    world.must('add-note', id, BODIES['add-note'], CLERK);
    const state = world.must('close', id, BODIES.close, SUPERVISOR);
    expectTypes(world, id, [
      'received',
      'claimed',
      'verified',
      'referred',
      'penalty_issued',
      'appeal_filed',
      'appeal_decided',
      'note_added',
      'closed',
    ]);
    expect(state).toMatchObject({
      stage: 'closed',
      outcome: 'penalty_enforced',
      decisionNo: 'QD-2026-0001',
      penaltyRecordedBy: SUPERVISOR.id,
      appeal: {
        filedAt: expect.any(String),
        filedBy: SUPERVISOR.id,
        status: 'upheld',
        decidedBy: SUPERVISOR_2.id,
        note: 'The fine is within the frame.',
      },
    });
    expect(world.eventsOf(id).at(-1)?.payload).toEqual({ outcome: 'penalty_enforced', ...(BODIES.close as object) });
    expectFoldsToMatch(world);
  });

  it('penalty_overturned: the appeal overturns the penalty and closes the case', () => {
    const world = createWorld();
    const id = world.submit();
    world.claimAndVerify(id, verifyBody(), VERIFIER);
    world.must('refer', id, BODIES.refer, SUPERVISOR);
    world.must('record-penalty', id, penaltyBody(), SUPERVISOR);
    world.must('file-appeal', id, BODIES['file-appeal'], SUPERVISOR);
    const state = world.must(
      'decide-appeal',
      id,
      { decision: 'overturned', note: 'No legal basis for the fine.' },
      SUPERVISOR_2,
    );
    expectTypes(world, id, [
      'received',
      'claimed',
      'verified',
      'referred',
      'penalty_issued',
      'appeal_filed',
      'appeal_decided',
      'closed',
    ]);
    expect(state).toMatchObject({ stage: 'closed', outcome: 'penalty_overturned', appeal: { status: 'overturned' } });
    expectFoldsToMatch(world);
  });

  it.each<OpenStage>(['received', 'verified', 'referred', 'penalty_issued'])('withdrawn from %s', (stage) => {
    const world = createWorld();
    const id = world.submit();
    world.must('add-note', id, BODIES['add-note'], CLERK);
    const path: [CommandType, unknown, typeof VERIFIER][] = [
      ['claim', {}, VERIFIER],
      ['verify', verifyBody(), VERIFIER],
      ['refer', BODIES.refer, SUPERVISOR],
      ['record-penalty', penaltyBody(), SUPERVISOR],
    ];
    const steps = ['received', 'verified', 'referred', 'penalty_issued'].indexOf(stage);
    for (const [type, body, actor] of path.slice(0, steps === 0 ? 0 : steps + 1)) world.must(type, id, body, actor);
    const state = world.must('withdraw', id, BODIES.withdraw, SUPERVISOR);
    expectTypes(world, id, [
      'received',
      'note_added',
      ...['claimed', 'verified', 'referred', 'penalty_issued'].slice(0, steps === 0 ? 0 : steps + 1),
      'closed',
    ]);
    expect(state).toMatchObject({ stage: 'closed', outcome: 'withdrawn', deadlineAt: null });
    expectFoldsToMatch(world);
  });

  it('related: the same content at another URL links both cases, open or closed', () => {
    const world = createWorld();
    const first = world.submit();
    world.claimAndVerify(first, verifyBody('accurate', []), VERIFIER);
    const second = world.submit(
      submitBody({
        url: 'https://www.tiktok.com/@x/video/1',
        content: '  Uống nước chanh nóng\nchữa khỏi cúm trong 3 ngày ',
      }),
    );
    expectTypes(world, second, ['received', 'related_linked']);
    expectTypes(world, first, ['received', 'claimed', 'verified', 'closed', 'related_linked']);
    expect(world.state(first).relatedCases).toEqual([second]);
    expect(world.state(second).relatedCases).toEqual([first]);
    expectFoldsToMatch(world);
  });
});
