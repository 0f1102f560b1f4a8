// SPEC §12: separation of duties holds for every user whatever roles they hold. Each pair
// is tried with a user who holds every role, doing the earlier duty and then the later one.
import { describe, expect, it } from 'vitest';
import { SEPARATION_OF_DUTIES } from '../../src/domain/guards.ts';
import type { Actor, CommandType } from '../../src/domain/index.ts';
import { BODIES, CLERK, SUPERVISOR, SUPERVISOR_2, VERIFIER, createWorld, penaltyBody } from './domain-world.ts';
import type { World } from './domain-world.ts';

const EVERY_ROLE: Actor = {
  id: '00000000-0000-4000-e000-000000000099',
  roles: ['clerk', 'verifier', 'supervisor', 'admin'],
};

type Step = { type: CommandType; body?: unknown; by: Actor };

/** The case moved to where `last` can run, each earlier duty by `EVERY_ROLE` when named so. */
function caseWith(world: World, submitter: Actor, steps: readonly Step[]): string {
  const id = world.submit(undefined, submitter);
  for (const step of steps) world.must(step.type, id, step.body ?? BODIES[step.type], step.by);
  return id;
}

const verifiedBy = (by: Actor): Step[] => [
  { type: 'claim', by },
  { type: 'verify', by },
];
const referredBy = (verifier: Actor, referrer: Actor = SUPERVISOR): Step[] => [
  ...verifiedBy(verifier),
  { type: 'refer', by: referrer },
];
const penaltyBy = (verifier: Actor, recorder: Actor): Step[] => [
  ...referredBy(verifier),
  { type: 'record-penalty', body: penaltyBody(), by: recorder },
  { type: 'file-appeal', by: SUPERVISOR_2 },
];

const detailOf = (earlier: string, later: string) => {
  const rule = SEPARATION_OF_DUTIES.find((r) => r.earlier === earlier && r.later === later);
  if (rule === undefined) throw new Error(`no rule ${earlier} → ${later}`);
  return rule.detail;
};

/** Every pair of SPEC §12, with the commands that perform its later duty. */
const PAIRS: { earlier: string; later: string; submitter: Actor; steps: Step[]; refused: CommandType[] }[] = [
  { earlier: 'submitter', later: 'verifier', submitter: EVERY_ROLE, steps: [], refused: ['claim', 'verify'] },
  { earlier: 'submitter', later: 'referrer', submitter: EVERY_ROLE, steps: verifiedBy(VERIFIER), refused: ['refer'] },
  {
    earlier: 'submitter',
    later: 'recorder',
    submitter: EVERY_ROLE,
    steps: referredBy(VERIFIER),
    refused: ['record-penalty', 'record-no-violation'],
  },
  {
    earlier: 'submitter',
    later: 'decider',
    submitter: EVERY_ROLE,
    steps: penaltyBy(VERIFIER, SUPERVISOR),
    refused: ['decide-appeal'],
  },
  { earlier: 'verifier', later: 'referrer', submitter: CLERK, steps: verifiedBy(EVERY_ROLE), refused: ['refer'] },
  {
    earlier: 'verifier',
    later: 'recorder',
    submitter: CLERK,
    steps: referredBy(EVERY_ROLE),
    refused: ['record-penalty', 'record-no-violation'],
  },
  {
    earlier: 'verifier',
    later: 'decider',
    submitter: CLERK,
    steps: penaltyBy(EVERY_ROLE, SUPERVISOR),
    refused: ['decide-appeal'],
  },
  {
    earlier: 'recorder',
    later: 'decider',
    submitter: CLERK,
    steps: penaltyBy(VERIFIER, EVERY_ROLE),
    refused: ['decide-appeal'],
  },
];

describe('separation of duties for a user holding every role', () => {
  it('has one rule per pair of SPEC §12, each with its own message', () => {
    expect(SEPARATION_OF_DUTIES.map((r) => `${r.earlier} → ${r.later}`).sort()).toEqual(
      PAIRS.map((p) => `${p.earlier} → ${p.later}`).sort(),
    );
    expect(new Set(SEPARATION_OF_DUTIES.map((r) => r.detail)).size).toBe(SEPARATION_OF_DUTIES.length);
  });

  for (const pair of PAIRS) {
    for (const type of pair.refused) {
      it(`refuses ${type} by the case's ${pair.earlier} (the ${pair.later} must be someone else)`, () => {
        const world = createWorld();
        const id = caseWith(world, pair.submitter, pair.steps);
        const before = world.state(id);
        const body = type === 'record-penalty' ? penaltyBody({ decisionNo: 'QD-2026-0900' }) : BODIES[type];
        expect(world.run(type, id, body, EVERY_ROLE)).toEqual({
          ok: false,
          rejection: { code: 'guard_failed', detail: detailOf(pair.earlier, pair.later) },
        });
        expect(world.state(id)).toEqual(before);
        // Someone who did none of the earlier duties may.
        const other = type === 'claim' || type === 'verify' ? VERIFIER : SUPERVISOR_2;
        if (type === 'verify') world.must('claim', id, {}, other);
        expect(world.run(type, id, body, other).ok).toBe(true);
      });
    }
  }
});
