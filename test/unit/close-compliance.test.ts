import { describe, expect, it } from 'vitest';
import { COMMANDS } from '../../src/domain/index.ts';
import { BODIES, SUPERVISOR, VERIFIER, createWorld, penaltyBody, verifyBody } from './domain-world.ts';

function penaltyCase(overrides: { remedies?: string[]; amount?: number } = {}) {
  const world = createWorld();
  const id = world.submit();
  world.claimAndVerify(id, verifyBody(), VERIFIER);
  world.must('refer', id, BODIES.refer, SUPERVISOR);
  const body = penaltyBody();
  world.must(
    'record-penalty',
    id,
    {
      ...body,
      remedies: overrides.remedies ?? body.remedies,
      fine: { ...body.fine, amount: overrides.amount ?? body.fine.amount },
    },
    SUPERVISOR,
  );
  return { world, id };
}

const ALL_DONE = { contentRemoved: true, finePaid: true, correctionPublished: true, accountSuspended: true };

describe('closing a penalty as enforced', () => {
  it('refuses when the content is not removed and the fine not paid, naming both', () => {
    const { world, id } = penaltyCase({ remedies: ['remove_content'] });
    const decision = world.run('close', id, { compliance: { contentRemoved: false, finePaid: false } }, SUPERVISOR);
    expect(decision).toEqual({
      ok: false,
      rejection: {
        code: 'guard_failed',
        detail: 'the penalty is not complied with: the content is not removed; the fine is not paid',
        errors: [
          { path: 'compliance.contentRemoved', message: 'the ordered removal of the content is not complied with' },
          { path: 'compliance.finePaid', message: 'the fine is not paid' },
        ],
      },
    });
    expect(world.state(id).stage).toBe('penalty_issued');
  });

  it('refuses while an ordered correction is not published or an account not suspended', () => {
    const { world, id } = penaltyCase({ remedies: ['publish_correction', 'suspend_account'] });
    const decision = world.run('close', id, { compliance: { contentRemoved: true, finePaid: true } }, SUPERVISOR);
    expect(decision).toMatchObject({
      ok: false,
      rejection: {
        code: 'guard_failed',
        errors: [{ path: 'compliance.correctionPublished' }, { path: 'compliance.accountSuspended' }],
      },
    });
  });

  it('needs no payment when the fine is zero and nothing for a remedy that was not ordered', () => {
    const { world, id } = penaltyCase({ remedies: ['remove_content'], amount: 0 });
    const state = world.must('close', id, { compliance: { contentRemoved: true, finePaid: false } }, SUPERVISOR);
    expect(state).toMatchObject({ stage: 'closed', outcome: 'penalty_enforced' });
  });

  it('closes when every ordered remedy is complied with and the fine is paid', () => {
    const { world, id } = penaltyCase({ remedies: ['remove_content', 'publish_correction', 'suspend_account'] });
    expect(world.must('close', id, { compliance: ALL_DONE }, SUPERVISOR).outcome).toBe('penalty_enforced');
    expect(world.eventsOf(id).at(-1)?.payload).toEqual({ outcome: 'penalty_enforced', compliance: ALL_DONE });
  });

  it('still takes the compliance object of earlier clients (content and fine only)', () => {
    expect(COMMANDS.close.payload.safeParse({ compliance: { contentRemoved: true, finePaid: true } }).success).toBe(
      true,
    );
  });
});
