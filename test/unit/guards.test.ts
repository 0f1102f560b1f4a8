import { describe, expect, it } from 'vitest';
import { decide } from '../../src/domain/index.ts';
import type { Actor, Decision } from '../../src/domain/index.ts';
import {
  ANYONE,
  BODIES,
  CLAIM_LEASE_MS,
  CLERK,
  CLERK_2,
  MINUTE,
  SUPERVISOR,
  SUPERVISOR_2,
  VERIFIER,
  VERIFIER_2,
  createWorld,
  penaltyBody,
  verifyBody,
} from './domain-world.ts';

const refused = (code: string, detail: string): Decision => ({ ok: false, rejection: { code, detail } }) as Decision;

function receivedCase() {
  const world = createWorld();
  const id = world.submit();
  return { world, id };
}

function referredCase() {
  const { world, id } = receivedCase();
  world.claimAndVerify(id, verifyBody(), VERIFIER);
  world.must('refer', id, BODIES.refer, SUPERVISOR);
  return { world, id };
}

function penaltyCase() {
  const { world, id } = referredCase();
  world.must('record-penalty', id, penaltyBody(), SUPERVISOR);
  return { world, id };
}

const verifierAndClerk: Actor = { id: CLERK.id, roles: ['clerk', 'verifier'] };
const supervisorAndVerifier: Actor = { id: VERIFIER.id, roles: ['verifier', 'supervisor'] };

describe('claim guards', () => {
  it('refuses a claim by the clerk who submitted the case with guard_failed', () => {
    const { world, id } = receivedCase();
    expect(world.run('claim', id, {}, verifierAndClerk)).toEqual(
      refused('guard_failed', 'the verifier of a case may not be the clerk who submitted it'),
    );
  });

  it('refuses a claim while another verifier holds a live lease with claimed_by_other', () => {
    const { world, id } = receivedCase();
    const { claimedUntil } = world.must('claim', id, {}, VERIFIER);
    expect(world.run('claim', id, {}, VERIFIER_2)).toEqual(
      refused('claimed_by_other', `the case is claimed by another verifier until ${claimedUntil}`),
    );
  });

  it('lets another verifier claim once the lease has expired', () => {
    const { world, id } = receivedCase();
    world.must('claim', id, {}, VERIFIER);
    world.advance(CLAIM_LEASE_MS);
    const state = world.must('claim', id, {}, VERIFIER_2);
    expect(state.claimedBy).toBe(VERIFIER_2.id);
    expect(state.claimedUntil).toBe(new Date(world.now().getTime() + CLAIM_LEASE_MS).toISOString());
  });

  it('lets the holder renew its own live claim, extending the lease', () => {
    const { world, id } = receivedCase();
    world.must('claim', id, {}, VERIFIER);
    const renewed = world.must('claim', id, {}, VERIFIER);
    expect(renewed.claimedUntil).toBe(new Date(world.now().getTime() + 30 * MINUTE).toISOString());
  });
});

describe('verify guards', () => {
  it('refuses a verdict by the clerk who submitted the case with guard_failed', () => {
    const { world, id } = receivedCase();
    expect(world.run('verify', id, verifyBody(), verifierAndClerk)).toEqual(
      refused('guard_failed', 'the verifier of a case may not be the clerk who submitted it'),
    );
  });

  it('refuses a verdict while another verifier holds a live claim with claimed_by_other', () => {
    const { world, id } = receivedCase();
    const { claimedUntil } = world.must('claim', id, {}, VERIFIER);
    expect(world.run('verify', id, verifyBody(), VERIFIER_2)).toEqual(
      refused('claimed_by_other', `the case is claimed by another verifier until ${claimedUntil}`),
    );
  });

  it('accepts a verdict from the holder of the claim, and clears the claim', () => {
    const { world, id } = receivedCase();
    world.must('claim', id, {}, VERIFIER);
    const state = world.must('verify', id, verifyBody(), VERIFIER);
    expect([state.stage, state.verifiedBy, state.claimedBy, state.claimedUntil]).toEqual([
      'verified',
      VERIFIER.id,
      null,
      null,
    ]);
  });

  it('refuses a verdict without a claim with guard_failed, and nothing changes', () => {
    const { world, id } = receivedCase();
    const before = world.state(id);
    expect(world.run('verify', id, verifyBody(), VERIFIER_2)).toEqual(
      refused('guard_failed', 'verify needs your live claim on the case: claim it first'),
    );
    expect(world.state(id)).toEqual(before);
  });

  it('refuses a verdict once the own claim has expired, and accepts it after claiming again', () => {
    const { world, id } = receivedCase();
    world.must('claim', id, {}, VERIFIER);
    world.advance(CLAIM_LEASE_MS);
    expect(world.run('verify', id, verifyBody(), VERIFIER)).toEqual(
      refused('guard_failed', 'verify needs your live claim on the case: claim it first'),
    );
    expect(world.claimAndVerify(id, verifyBody(), VERIFIER).verifiedBy).toBe(VERIFIER.id);
  });

  it('accepts a verdict from another verifier once the claim has expired and they claimed it', () => {
    const { world, id } = receivedCase();
    world.must('claim', id, {}, VERIFIER);
    world.advance(CLAIM_LEASE_MS);
    expect(world.claimAndVerify(id, verifyBody(), VERIFIER_2).verifiedBy).toBe(VERIFIER_2.id);
  });

  it.each(['false', 'misleading'])('refuses a %s verdict without evidence with guard_failed', (verdict) => {
    const { world, id } = receivedCase();
    world.must('claim', id, {}, VERIFIER);
    expect(world.run('verify', id, verifyBody(verdict, []), VERIFIER)).toEqual(
      refused('guard_failed', `a verdict of ${verdict} needs at least one evidence item`),
    );
  });

  it.each(['accurate', 'unverifiable'])('accepts a %s verdict without evidence and dismisses the case', (verdict) => {
    const { world, id } = receivedCase();
    const state = world.claimAndVerify(id, verifyBody(verdict, []), VERIFIER);
    expect([state.stage, state.outcome]).toEqual(['closed', 'dismissed']);
  });

  it('checks the separation of duties before the claim, and the claim before the evidence', () => {
    const { world, id } = receivedCase();
    world.must('claim', id, {}, VERIFIER);
    expect(world.run('verify', id, verifyBody('false', []), verifierAndClerk)).toEqual(
      refused('guard_failed', 'the verifier of a case may not be the clerk who submitted it'),
    );
    expect(world.run('verify', id, verifyBody('false', []), VERIFIER_2)).toMatchObject({
      rejection: { code: 'claimed_by_other' },
    });
  });
});

describe('record-penalty guards', () => {
  it('refuses a penalty recorded by the verifier of the case with guard_failed', () => {
    const { world, id } = referredCase();
    expect(world.run('record-penalty', id, penaltyBody(), supervisorAndVerifier)).toEqual(
      refused(
        'guard_failed',
        "the supervisor who records the authority's decision may not be the verifier of the case",
      ),
    );
  });

  it('refuses a penalty without a legal basis with guard_failed', () => {
    const { world, id } = referredCase();
    expect(world.run('record-penalty', id, penaltyBody({ legalBasis: [] }), SUPERVISOR)).toEqual(
      refused('guard_failed', 'a penalty needs at least one legal basis'),
    );
  });

  it('refuses a decision number already used by another case with duplicate_decision', () => {
    const { world, id } = penaltyCase();
    // Withdrawn first: an open case with the same item would make the new report a duplicate.
    world.must('withdraw', id, BODIES.withdraw, SUPERVISOR);
    const other = world.submit(undefined, CLERK_2);
    world.claimAndVerify(other, verifyBody(), VERIFIER);
    world.must('refer', other, BODIES.refer, SUPERVISOR);
    expect(world.run('record-penalty', other, penaltyBody(), SUPERVISOR)).toEqual(
      refused('duplicate_decision', 'decision number QD-2026-0001 is already used'),
    );
    expect(
      world.must('record-penalty', other, penaltyBody({ decisionNo: 'QD-2026-0002' }), SUPERVISOR).decisionNo,
    ).toBe('QD-2026-0002');
  });

  it('checks separation of duties first, then the legal basis, then the decision number', () => {
    const { world, id } = referredCase();
    const body = penaltyBody({ legalBasis: [] });
    const command = world.commandOf('record-penalty', id, body);
    const ctx = {
      ...world.contextFor(supervisorAndVerifier, command),
      penalty: { subjectDigest: 'a'.repeat(64), decisionNoTaken: true },
    };
    expect(decide(world.state(id), command, ctx)).toMatchObject({ rejection: { code: 'guard_failed' } });
    const ctx2 = { ...ctx, actor: SUPERVISOR };
    expect(decide(world.state(id), command, ctx2)).toEqual(
      refused('guard_failed', 'a penalty needs at least one legal basis'),
    );
    const command3 = world.commandOf('record-penalty', id, penaltyBody());
    expect(decide(world.state(id), command3, ctx2)).toMatchObject({ rejection: { code: 'duplicate_decision' } });
  });
});

describe('appeal and close guards', () => {
  it('refuses a second appeal while one is pending with guard_failed', () => {
    const { world, id } = penaltyCase();
    world.must('file-appeal', id, BODIES['file-appeal'], SUPERVISOR);
    expect(world.run('file-appeal', id, BODIES['file-appeal'], SUPERVISOR_2)).toEqual(
      refused('guard_failed', 'an appeal is pending'),
    );
  });

  it('accepts a new appeal once the previous one is decided', () => {
    const { world, id } = penaltyCase();
    world.must('file-appeal', id, BODIES['file-appeal'], SUPERVISOR);
    world.must('decide-appeal', id, BODIES['decide-appeal'], SUPERVISOR_2);
    expect(world.must('file-appeal', id, BODIES['file-appeal'], SUPERVISOR).appeal?.status).toBe('pending');
  });

  it('refuses to decide an appeal that was never filed with guard_failed', () => {
    const { world, id } = penaltyCase();
    expect(world.run('decide-appeal', id, BODIES['decide-appeal'], SUPERVISOR_2)).toEqual(
      refused('guard_failed', 'there is no pending appeal to decide'),
    );
  });

  it('refuses an appeal decision by the supervisor who recorded the penalty with guard_failed', () => {
    const { world, id } = penaltyCase();
    world.must('file-appeal', id, BODIES['file-appeal'], SUPERVISOR_2);
    expect(world.run('decide-appeal', id, BODIES['decide-appeal'], SUPERVISOR)).toEqual(
      refused('guard_failed', 'the supervisor who decides an appeal may not be the one who recorded the penalty'),
    );
    expect(world.must('decide-appeal', id, BODIES['decide-appeal'], SUPERVISOR_2).appeal).toMatchObject({
      status: 'upheld',
      decidedBy: SUPERVISOR_2.id,
    });
  });

  it('refuses to close while an appeal is pending with guard_failed, and closes once it is upheld', () => {
    const { world, id } = penaltyCase();
    world.must('file-appeal', id, BODIES['file-appeal'], SUPERVISOR);
    expect(world.run('close', id, BODIES.close, SUPERVISOR)).toEqual(refused('guard_failed', 'an appeal is pending'));
    world.must('decide-appeal', id, BODIES['decide-appeal'], SUPERVISOR_2);
    expect(world.must('close', id, BODIES.close, SUPERVISOR).outcome).toBe('penalty_enforced');
  });
});

describe('withdraw guard', () => {
  it.each(['', '   \n\t'])('refuses a withdrawal with the blank reason %j with guard_failed', (reason) => {
    const { world, id } = receivedCase();
    expect(world.run('withdraw', id, { reason }, SUPERVISOR)).toEqual(
      refused('guard_failed', 'a withdrawal needs a reason'),
    );
  });

  it('accepts a withdrawal with a reason and records it trimmed', () => {
    const { world, id } = receivedCase();
    world.must('withdraw', id, { reason: '  Reported in error.  ' }, SUPERVISOR);
    expect(world.eventsOf(id).at(-1)?.payload).toEqual({ outcome: 'withdrawn', reason: 'Reported in error.' });
  });
});

describe('assign and release', () => {
  it('assigns a received case to a verifier: a claim held for them, with the lease of a claim', () => {
    const { world, id } = receivedCase();
    const state = world.must('assign', id, { verifierId: VERIFIER.id }, SUPERVISOR);
    expect([state.claimedBy, state.claimedUntil]).toEqual([
      VERIFIER.id,
      new Date(world.now().getTime() + CLAIM_LEASE_MS).toISOString(),
    ]);
    expect(world.eventsOf(id).at(-1)).toMatchObject({
      type: 'case.assigned',
      actor: SUPERVISOR,
      payload: { verifierId: VERIFIER.id, claimedUntil: state.claimedUntil },
    });
  });

  it('lets the assigned verifier verify, and refuses another verifier', () => {
    const { world, id } = receivedCase();
    world.must('assign', id, { verifierId: VERIFIER.id }, SUPERVISOR);
    expect(world.run('verify', id, verifyBody(), VERIFIER_2)).toMatchObject({
      rejection: { code: 'claimed_by_other' },
    });
    expect(world.must('verify', id, verifyBody(), VERIFIER).verifiedBy).toBe(VERIFIER.id);
  });

  it('lets the assignment lapse like any claim', () => {
    const { world, id } = receivedCase();
    world.must('assign', id, { verifierId: VERIFIER.id }, SUPERVISOR);
    world.advance(CLAIM_LEASE_MS);
    expect(world.run('verify', id, verifyBody(), VERIFIER)).toEqual(
      refused('guard_failed', 'verify needs your live claim on the case: claim it first'),
    );
    expect(world.must('claim', id, {}, VERIFIER_2).claimedBy).toBe(VERIFIER_2.id);
  });

  it('refuses to assign a case to its submitter, to a user who is no verifier, or to no user', () => {
    const { world, id } = receivedCase();
    world.must('withdraw', id, BODIES.withdraw, SUPERVISOR);
    const mine = world.submit(undefined, ANYONE);
    expect(world.run('assign', mine, { verifierId: ANYONE.id }, SUPERVISOR)).toEqual(
      refused('guard_failed', 'the verifier of a case may not be the clerk who submitted it'),
    );
    expect(world.run('assign', mine, { verifierId: SUPERVISOR_2.id }, SUPERVISOR)).toMatchObject({
      rejection: { code: 'guard_failed', errors: [{ path: 'verifierId' }] },
    });
    const nobody = '6f1c2b9e-4d3a-4c8b-9e7f-0a1b2c3d4e5f';
    expect(world.run('assign', mine, { verifierId: nobody }, SUPERVISOR)).toMatchObject({
      rejection: { code: 'guard_failed', errors: [{ path: 'verifierId' }] },
    });
  });

  it('refuses to assign over the live claim of another verifier with claimed_by_other', () => {
    const { world, id } = receivedCase();
    world.must('claim', id, {}, VERIFIER_2);
    expect(world.run('assign', id, { verifierId: VERIFIER.id }, SUPERVISOR)).toMatchObject({
      rejection: { code: 'claimed_by_other' },
    });
    world.must('release', id, {}, SUPERVISOR);
    expect(world.must('assign', id, { verifierId: VERIFIER.id }, SUPERVISOR).claimedBy).toBe(VERIFIER.id);
  });

  it('is released by the verifier holding the claim or a supervisor, not by another verifier', () => {
    const { world, id } = receivedCase();
    expect(world.run('release', id, {}, VERIFIER)).toEqual(refused('guard_failed', 'the case is not claimed'));
    world.must('claim', id, {}, VERIFIER);
    expect(world.run('release', id, {}, VERIFIER_2)).toMatchObject({ rejection: { code: 'claimed_by_other' } });
    const released = world.must('release', id, {}, VERIFIER);
    expect([released.claimedBy, released.claimedUntil]).toEqual([null, null]);
    expect(world.eventsOf(id).at(-1)).toMatchObject({ type: 'case.released', payload: { verifierId: VERIFIER.id } });
    world.must('assign', id, { verifierId: VERIFIER_2.id }, SUPERVISOR);
    expect(world.must('release', id, {}, SUPERVISOR_2).claimedBy).toBeNull();
  });
});
