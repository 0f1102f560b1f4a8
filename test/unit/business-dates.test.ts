import { describe, expect, it } from 'vitest';
import { COMMANDS, businessDateProblems } from '../../src/domain/index.ts';
import {
  BODIES,
  MINUTE,
  SUPERVISOR,
  SUPERVISOR_2,
  VERIFIER,
  createWorld,
  penaltyBody,
  submitBody,
  verifyBody,
} from './domain-world.ts';

const NOW = new Date('2026-12-06T12:00:00.000Z');
const SKEW = 5 * MINUTE;
const submitWith = (capturedAt: string, receivedAt?: string) => {
  const body = submitBody();
  return COMMANDS.submit.payload.parse({
    ...body,
    item: { ...body.item, capturedAt },
    report: { ...body.report, ...(receivedAt === undefined ? {} : { receivedAt }) },
  });
};

describe('business dates against the calendar', () => {
  it.each([
    ['year 0', '0000-01-01T00:00:00Z', 'must not be before 2000-01-01'],
    ['1999', '1999-12-31T23:59:59Z', 'must not be before 2000-01-01'],
    ['year 9999', '9999-12-31T00:00:00Z', 'must not be in the future (more than 5 minutes ahead of the server clock)'],
    [
      'six minutes ahead',
      '2026-12-06T12:06:00Z',
      'must not be in the future (more than 5 minutes ahead of the server clock)',
    ],
  ])('refuses a capturedAt in %s, naming the field', (_when, capturedAt, message) => {
    expect(businessDateProblems('submit', submitWith(capturedAt), NOW, SKEW)).toEqual([
      { path: 'item.capturedAt', message },
    ]);
  });

  it('accepts 2000-01-01, now and a clock four minutes ahead', () => {
    for (const at of ['2000-01-01T00:00:00Z', '2026-12-06T12:00:00Z', '2026-12-06T12:04:00Z']) {
      expect(businessDateProblems('submit', submitWith(at, at), NOW, SKEW)).toEqual([]);
    }
  });

  it('names every impossible date of a body', () => {
    expect(
      businessDateProblems('submit', submitWith('1970-01-01T00:00:00Z', '2030-01-01T00:00:00Z'), NOW, SKEW).map(
        (p) => p.path,
      ),
    ).toEqual(['item.capturedAt', 'report.receivedAt']);
  });

  it('refuses a penalty issued in 2030 and an appeal filed in 2030, and lets a due date lie ahead', () => {
    const penalty = COMMANDS['record-penalty'].payload.parse({ ...penaltyBody(), issuedAt: '2030-01-01T00:00:00Z' });
    expect(businessDateProblems('record-penalty', penalty, NOW, SKEW)).toMatchObject([{ path: 'issuedAt' }]);
    const appeal = COMMANDS['file-appeal'].payload.parse({ filedAt: '2030-01-01T00:00:00Z', grounds: 'g' });
    expect(businessDateProblems('file-appeal', appeal, NOW, SKEW)).toMatchObject([{ path: 'filedAt' }]);
    const refer = COMMANDS.refer.payload.parse({ ...(BODIES.refer as object), dueAt: '2027-06-01T00:00:00Z' });
    expect(businessDateProblems('refer', refer, NOW, SKEW)).toEqual([]);
  });
});

describe('business dates against the case history', () => {
  function referred() {
    const world = createWorld();
    const id = world.submit();
    world.claimAndVerify(id, verifyBody(), VERIFIER);
    const { referral } = world.must('refer', id, BODIES.refer, SUPERVISOR);
    return { world, id, referredAt: Date.parse(referral?.referredAt ?? '') };
  }

  it('refuses a penalty issued before its referral with guard_failed naming issuedAt', () => {
    const { world, id, referredAt } = referred();
    const issuedAt = new Date(referredAt - 6 * MINUTE).toISOString();
    expect(world.run('record-penalty', id, { ...penaltyBody(), issuedAt }, SUPERVISOR)).toEqual({
      ok: false,
      rejection: {
        code: 'guard_failed',
        detail: `the penalty cannot be issued before the case was referred (${world.state(id).referral?.referredAt})`,
        errors: [{ path: 'issuedAt', message: 'must not be before the referral' }],
      },
    });
  });

  it('allows the clock skew between a penalty issued just now and the referral', () => {
    const { world, id, referredAt } = referred();
    const issuedAt = new Date(referredAt - 4 * MINUTE).toISOString();
    expect(world.must('record-penalty', id, { ...penaltyBody(), issuedAt }, SUPERVISOR).stage).toBe('penalty_issued');
  });

  it('refuses an appeal filed before its penalty was issued with guard_failed naming filedAt', () => {
    const { world, id, referredAt } = referred();
    const issuedAt = new Date(referredAt + 60 * MINUTE).toISOString();
    world.must('record-penalty', id, { ...penaltyBody(), issuedAt }, SUPERVISOR);
    const filedAt = new Date(referredAt + 30 * MINUTE).toISOString();
    expect(world.run('file-appeal', id, { filedAt, grounds: 'Too harsh.' }, SUPERVISOR_2)).toEqual({
      ok: false,
      rejection: {
        code: 'guard_failed',
        detail: `the appeal cannot be filed before the penalty was issued (${issuedAt})`,
        errors: [{ path: 'filedAt', message: 'must not be before the penalty was issued' }],
      },
    });
    expect(
      world.must('file-appeal', id, { filedAt: issuedAt, grounds: 'Too harsh.' }, SUPERVISOR_2).appeal,
    ).toMatchObject({
      status: 'pending',
    });
  });
});
