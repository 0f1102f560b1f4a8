import { describe, expect, it } from 'vitest';
import {
  SYSTEM_ACTOR,
  chainEvents,
  contentHash,
  decideErasure,
  decideSlaBreach,
  evolve,
  fingerprint,
  fold,
  foldAsOf,
  headOf,
} from '../../src/domain/index.ts';
import type { CaseState } from '../../src/domain/index.ts';
import {
  BODIES,
  CLERK,
  CLERK_2,
  DAY,
  SLA,
  SUPERVISOR,
  VERIFIER,
  createWorld,
  penaltyBody,
  submitBody,
  verifyBody,
} from './domain-world.ts';

describe('what the fold derives', () => {
  it('starts a case with every field of the received event and the clock of the database', () => {
    const world = createWorld();
    const id = world.submit();
    const at = world.now().toISOString();
    expect(world.state(id)).toEqual({
      id,
      reference: 'CT-2026-000001',
      stage: 'received',
      outcome: null,
      version: 1,
      priority: 'normal',
      category: 'health',
      platform: 'facebook',
      claim: 'Hot lemon water cures influenza within three days',
      url: 'https://www.facebook.com/groups/123/posts/456',
      fingerprint: fingerprint('https://www.facebook.com/groups/123/posts/456'),
      contentHash: contentHash('Uống nước chanh nóng chữa khỏi cúm trong 3 ngày'),
      item: {
        platform: 'facebook',
        url: 'https://www.facebook.com/groups/123/posts/456',
        contentType: 'text',
        language: 'vi',
        capturedAt: '2026-11-28T09:00:00.000Z',
      },
      report: { source: 'citizen_tip', reporterRef: 'TIP-0042', receivedAt: '2026-11-28T08:45:00.000Z' },
      submittedBy: CLERK.id,
      claimedBy: null,
      claimedUntil: null,
      verifiedBy: null,
      verdict: null,
      referral: null,
      penalty: null,
      penaltyRecordedBy: null,
      decisionNo: null,
      appeal: null,
      duplicateOf: null,
      mergedReports: 0,
      relatedCases: [],
      topics: [],
      stageEnteredAt: at,
      deadlineAt: new Date(world.now().getTime() + SLA.received).toISOString(),
      headHash: world.eventsOf(id)[0]?.hash,
      createdAt: at,
      updatedAt: at,
    });
  });

  it('never puts personal data in an event or the state, only its digest', () => {
    const world = createWorld();
    const id = world.submit();
    world.claimAndVerify(id, verifyBody(), VERIFIER);
    world.must('refer', id, BODIES.refer, SUPERVISOR);
    const state = world.must('record-penalty', id, penaltyBody(), SUPERVISOR);
    const written = JSON.stringify([world.eventsOf(id), state]);
    for (const personal of ['nguyen.van.a', 'Nguyễn Văn A', 'Uống nước chanh']) expect(written).not.toContain(personal);
    expect(world.eventsOf(id)[0]?.payload).toMatchObject({
      personal: { digest: expect.stringMatching(/^[0-9a-f]{64}$/) },
    });
    expect(state.penalty?.subject).toEqual({ digest: expect.stringMatching(/^[0-9a-f]{64}$/) });
    expect(world.eventsOf(id)[4]?.payload).toMatchObject({ fine: { amount: '7500000', currency: 'VND' } });
    expect(state.penalty?.fine).toEqual({ amount: 7_500_000, currency: 'VND' });
  });

  it.each([
    ['low', 1, 'normal'],
    ['low', 3, 'high'],
    ['normal', 10, 'urgent'],
    ['high', 1, 'high'],
    ['urgent', 3, 'urgent'],
  ])('raises a %s case merged %i times to %s, never lowering it', (priority, merges, expected) => {
    const world = createWorld();
    const id = world.submit(submitBody({ priority }));
    for (let i = 0; i < merges; i += 1) world.submit(submitBody(), CLERK_2);
    expect(world.state(id)).toMatchObject({ mergedReports: merges, priority: expected });
    for (const c of world.caseIds()) expect(fold(world.eventsOf(c))).toEqual(world.state(c));
  });

  it('appends an SLA breach once the deadline passes in the same stage visit, and nothing after the case moves on', () => {
    const world = createWorld();
    const id = world.submit();
    const visit = { stage: 'received' as const, stageEnteredAt: world.state(id).stageEnteredAt };
    expect(decideSlaBreach(world.state(id), visit, new Date(Date.parse(world.state(id).deadlineAt!) - 1))).toEqual([]);
    world.advance(DAY);
    const drafts = decideSlaBreach(world.state(id), visit, world.now());
    expect(drafts).toEqual([
      { caseId: id, type: 'case.sla_breached', payload: { stage: 'received', deadlineAt: world.state(id).deadlineAt } },
    ]);
    const [breach] = chainEvents(drafts, {
      heads: { [id]: headOf(world.state(id)) },
      actor: SYSTEM_ACTOR,
      commandId: null,
      occurredAt: world.now(),
    });
    const breached = evolve(world.state(id), breach!);
    expect(breached).toEqual({ ...world.state(id), version: 2, updatedAt: breach!.occurredAt, headHash: breach!.hash });
    world.claimAndVerify(id, verifyBody(), VERIFIER);
    expect(decideSlaBreach(world.state(id), visit, world.now())).toEqual([]);
  });

  it('records a personal data erasure without touching anything else', () => {
    const world = createWorld();
    const id = world.submit();
    world.advance(DAY);
    const drafts = decideErasure(world.state(id), {
      fields: ['accountHandle', 'accountName', 'content'],
      reason: 'retention',
    });
    const [erased] = chainEvents(drafts, {
      heads: { [id]: headOf(world.state(id)) },
      actor: SYSTEM_ACTOR,
      commandId: null,
      occurredAt: world.now(),
    });
    expect(erased?.payload).toEqual({ fields: ['accountHandle', 'accountName', 'content'], reason: 'retention' });
    expect(evolve(world.state(id), erased!)).toEqual({
      ...world.state(id),
      version: 2,
      updatedAt: world.now().toISOString(),
      headHash: erased!.hash,
    });
  });

  it('rebuilds a case as it stood at a past instant', () => {
    const world = createWorld();
    const id = world.submit();
    const afterSubmit: CaseState = world.state(id);
    world.must('claim', id, {}, VERIFIER);
    world.must('verify', id, verifyBody(), VERIFIER);
    expect(foldAsOf(world.eventsOf(id), new Date(afterSubmit.updatedAt))).toEqual(afterSubmit);
    expect(foldAsOf(world.eventsOf(id), new Date(0))).toBeNull();
  });
});
