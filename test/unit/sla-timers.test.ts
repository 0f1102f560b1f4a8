import { describe, expect, it } from 'vitest';
import { slaTimerOf } from '../../src/domain/index.ts';
import { deduplicationId, parseJob, slaTimerJobId } from '../../src/infra/queue/catalog.ts';
import { parseConfig } from '../../src/infra/config/config.ts';
import {
  AUTHORITY,
  BODIES,
  CLERK,
  DAY,
  SUPERVISOR,
  T0,
  VERIFIER,
  createWorld,
  penaltyBody,
  submitBody,
  verifyBody,
} from './domain-world.ts';

const CASE_ID = '1b9d6bcd-bbfd-4b2d-9b5d-ab8dfbbd4bed';

describe('the SLA timer an event starts', () => {
  it('is set by each event that enters an open stage, for that stage, from its occurredAt to its deadline', () => {
    const world = createWorld();
    const id = world.submit();
    world.claimAndVerify(id, verifyBody(), VERIFIER);
    world.must('refer', id, { authority: AUTHORITY }, SUPERVISOR);
    world.must('record-penalty', id, penaltyBody(), SUPERVISOR);
    const timers = world.eventsOf(id).map(slaTimerOf);
    const at = (minutes: number) => new Date(T0.getTime() + minutes * 60_000).toISOString();
    const deadline = (minutes: number, days: number) =>
      new Date(T0.getTime() + minutes * 60_000 + days * DAY).toISOString();
    expect(timers).toEqual([
      { caseId: id, stage: 'received', stageEnteredAt: at(1), deadlineAt: deadline(1, 1) },
      null, // the claim stays in the stage
      { caseId: id, stage: 'verified', stageEnteredAt: at(3), deadlineAt: deadline(3, 2) },
      { caseId: id, stage: 'referred', stageEnteredAt: at(4), deadlineAt: deadline(4, 30) },
      { caseId: id, stage: 'penalty_issued', stageEnteredAt: at(5), deadlineAt: deadline(5, 60) },
    ]);
    expect(world.state(id)).toMatchObject({
      stage: 'penalty_issued',
      stageEnteredAt: at(5),
      deadlineAt: deadline(5, 60),
    });
  });

  it('is not set by events that stay in the stage, close the case, or dismiss it at verification', () => {
    const world = createWorld();
    const id = world.submit();
    world.must('claim', id, {}, VERIFIER);
    world.must('add-note', id, BODIES['add-note'], CLERK);
    world.must('verify', id, verifyBody('accurate', []), VERIFIER);
    const types = world.eventsOf(id).map((e) => [e.type, slaTimerOf(e) === null ? 'none' : 'timer']);
    expect(types).toEqual([
      ['case.received', 'timer'],
      ['case.claimed', 'none'],
      ['case.note_added', 'none'],
      ['case.verified', 'none'],
      ['case.closed', 'none'],
    ]);
  });

  it('has one job id per case, stage and time of entry, without colons', () => {
    const visit = { caseId: CASE_ID, stage: 'received' as const, stageEnteredAt: '2026-11-28T09:31:00.000Z' };
    expect(slaTimerJobId(visit)).toBe(`sla-${CASE_ID}-received-${Date.parse('2026-11-28T09:31:00.000Z')}`);
    expect(slaTimerJobId(visit)).not.toContain(':');
    const parsed = parseJob('sla', 'sla.deadline', { ...visit, deadlineAt: '2026-11-29T09:31:00.000Z' });
    if (!parsed.ok) throw new Error(parsed.reason);
    expect(parsed.kind).toBe('sla-timer');
    expect(deduplicationId(parsed)).toBe(slaTimerJobId(visit));
  });

  it('refuses timer jobs for a closed stage or on another queue', () => {
    const visit = {
      caseId: CASE_ID,
      stageEnteredAt: '2026-11-28T09:31:00.000Z',
      deadlineAt: '2026-11-29T09:31:00.000Z',
    };
    expect(parseJob('sla', 'sla.deadline', { ...visit, stage: 'closed' })).toMatchObject({ ok: false });
    expect(parseJob('events', 'sla.deadline', { ...visit, stage: 'received' })).toMatchObject({
      ok: false,
      reason: 'job sla.deadline belongs to queue sla, not events',
    });
  });

  it('holds the duplicate intake visit too: the projection, not the domain, skips visits already over', () => {
    const world = createWorld();
    world.submit(submitBody());
    const duplicate = world.submit(submitBody());
    expect(world.eventsOf(duplicate).map((e) => [e.type, slaTimerOf(e)?.stage ?? null])).toEqual([
      ['case.received', 'received'],
      ['case.duplicate_detected', null],
      ['case.closed', null],
    ]);
  });
});

describe('configuration of SLA sweeps and webhooks', () => {
  it('has documented defaults', () => {
    expect(parseConfig({})).toMatchObject({
      CASETRAIL_SLA_SWEEP_INTERVAL: 60_000,
      CASETRAIL_WEBHOOK_ATTEMPTS: 12,
      CASETRAIL_WEBHOOK_BACKOFF: 10_000,
      CASETRAIL_WEBHOOK_TIMEOUT: 10_000,
    });
  });

  it('refuses a malformed sweep interval or attempt count naming the variable', () => {
    expect(() => parseConfig({ CASETRAIL_SLA_SWEEP_INTERVAL: 'soon' })).toThrow(/CASETRAIL_SLA_SWEEP_INTERVAL: /);
    expect(() => parseConfig({ CASETRAIL_WEBHOOK_ATTEMPTS: '0' })).toThrow(/CASETRAIL_WEBHOOK_ATTEMPTS: /);
  });
});
