import { describe, expect, it } from 'vitest';
import { COMMANDS, OUTCOMES, STAGES, fingerprint, type CommandType } from '../../src/domain/index.ts';
import { COMMAND_PATHS } from '../../src/api/routes/command.routes.ts';
import { DEMO_FATES, MIN_DEMO_CASES, planDemo, type DemoCase, type DemoStep } from '../../src/cli/demo/demo-plan.ts';

const NOW = new Date('2026-11-28T10:00:00.000Z');
const commandOf = (action: string): CommandType => {
  const found = Object.entries(COMMAND_PATHS).find(
    ([, path]) => path === (action === '' ? '/cases' : `/cases/:id/${action}`),
  );
  if (found === undefined) throw new Error(`no command is posted to ${action}`);
  return found[0] as CommandType;
};
const final = (c: DemoCase) => (c.steps.at(-1) as DemoStep).expect;
const submitted = (c: DemoCase) =>
  (c.steps[0] as DemoStep).body as { item: { platform: 'facebook'; url: string; content: string; language: string } };

describe('the demo plan', () => {
  const plan = planDemo({ cases: 300, runTag: 'A1B2C3', now: NOW });

  it('has the asked number of cases, numbered once each', () => {
    expect(plan).toHaveLength(300);
    expect(new Set(plan.map((c) => c.n)).size).toBe(300);
  });

  it('ends cases in every stage and every outcome', () => {
    expect(new Set(plan.map((c) => final(c).stage))).toEqual(new Set(STAGES));
    expect(new Set(plan.map((c) => final(c).outcome).filter((o) => o !== null))).toEqual(new Set(OUTCOMES));
  });

  it('gives every fate its share of the cases', () => {
    const counts = Object.fromEntries(
      Object.keys(DEMO_FATES).map((fate) => [fate, plan.filter((c) => c.fate === fate).length]),
    );
    expect(counts).toEqual({
      received: 24,
      claimed: 15,
      related: 9,
      verified: 24,
      referred: 24,
      penalty_issued: 15,
      appeal_pending: 9,
      dismissed: 45,
      duplicate: 21,
      no_violation: 24,
      penalty_enforced: 42,
      upheld_enforced: 9,
      penalty_overturned: 15,
      withdrawn: 24,
    });
  });

  it('sends only bodies the API accepts, each by a role allowed to send it', () => {
    for (const step of plan.flatMap((c) => c.steps)) {
      const spec = COMMANDS[commandOf(step.action)];
      const parsed = spec.request.safeParse(step.body);
      expect(parsed.error?.issues ?? [], `${step.action} ${JSON.stringify(step.body)}`).toEqual([]);
      expect(spec.roles).toContain(step.role);
    }
  });

  it('mixes Vietnamese and English content over several platforms', () => {
    const items = plan.map((c) => submitted(c).item);
    expect(new Set(items.map((i) => i.language))).toEqual(new Set(['vi', 'en']));
    expect(new Set(items.map((i) => i.platform)).size).toBeGreaterThanOrEqual(5);
  });

  it('submits duplicates after their originals, at a URL with the same fingerprint', () => {
    const firstWave = plan.filter((c) => c.wave === 1);
    const duplicates = plan.filter((c) => c.fate === 'duplicate');
    expect(duplicates.every((c) => c.wave === 2 && c.steps.length === 1)).toBe(true);
    const open = new Map(
      firstWave.filter((c) => final(c).stage !== 'closed').map((c) => [fingerprint(submitted(c).item.url), c]),
    );
    for (const duplicate of duplicates) {
      const item = submitted(duplicate).item;
      expect(item.url).toContain('utm_source=zalo');
      expect(open.has(fingerprint(item.url))).toBe(true);
    }
  });

  it('keeps the items of other fates apart: unique URLs and contents', () => {
    const others = plan.filter((c) => c.fate !== 'duplicate' && c.fate !== 'related');
    expect(new Set(others.map((c) => submitted(c).item.url)).size).toBe(others.length);
    expect(new Set(others.map((c) => submitted(c).item.content)).size).toBe(others.length);
  });

  it('never lets one person break a separation-of-duties rule', () => {
    for (const c of plan) {
      const penalty = c.steps.find((s) => s.action === 'penalty');
      const decision = c.steps.find((s) => s.action === 'appeal-decision');
      if (penalty && decision) expect(decision.member).not.toBe(penalty.member);
    }
  });

  it('is the same plan for the same run tag, and another for another tag', () => {
    expect(planDemo({ cases: 300, runTag: 'A1B2C3', now: NOW })).toEqual(plan);
    const other = planDemo({ cases: 300, runTag: 'D4E5F6', now: NOW });
    expect(other.map((c) => submitted(c).item.url)).not.toEqual(plan.map((c) => submitted(c).item.url));
  });

  it(`covers every fate with as few as ${MIN_DEMO_CASES} cases, and refuses fewer`, () => {
    expect(new Set(planDemo({ cases: MIN_DEMO_CASES, runTag: 'X', now: NOW }).map((c) => c.fate)).size).toBe(
      MIN_DEMO_CASES,
    );
    expect(() => planDemo({ cases: MIN_DEMO_CASES - 1, runTag: 'X', now: NOW })).toThrow(
      `a demo needs at least ${MIN_DEMO_CASES} cases`,
    );
  });
});
