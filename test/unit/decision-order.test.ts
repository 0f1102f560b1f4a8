import { describe, expect, it } from 'vitest';
import type { Actor, CommandType, Decision } from '../../src/domain/index.ts';
import {
  ADMIN,
  BODIES,
  CLERK,
  CLERK_2,
  SUPERVISOR,
  VERIFIER,
  VERIFIER_2,
  createWorld,
  verifyBody,
} from './domain-world.ts';

// Before any guard: the actor's roles, the case's existence and visibility, expectedVersion,
// then the stage rule.

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

const verifierAndClerk: Actor = { id: CLERK.id, roles: ['clerk', 'verifier'] };

describe('checks before the guards', () => {
  it('refuses a stale expectedVersion with version_conflict and accepts the current one', () => {
    const { world, id } = receivedCase();
    world.must('add-note', id, BODIES['add-note'], CLERK);
    expect(world.run('claim', id, {}, VERIFIER, { expectedVersion: 1 })).toEqual(
      refused('version_conflict', 'expected version 1, the case is at version 2'),
    );
    expect(world.run('claim', id, {}, VERIFIER, { expectedVersion: 2 }).ok).toBe(true);
  });

  it('answers version_conflict before invalid_transition', () => {
    const { world, id } = receivedCase();
    expect(world.run('refer', id, BODIES.refer, SUPERVISOR, { expectedVersion: 7 })).toMatchObject({
      rejection: { code: 'version_conflict' },
    });
  });

  it('answers invalid_transition before any guard', () => {
    const { world, id } = receivedCase();
    world.claimAndVerify(id, verifyBody(), VERIFIER);
    expect(world.run('verify', id, verifyBody('false', []), verifierAndClerk)).toEqual(
      refused('invalid_transition', 'verify is not allowed in stage verified'),
    );
  });

  it.each<[CommandType, Actor]>([
    ['verify', CLERK],
    ['submit', VERIFIER],
    ['refer', VERIFIER],
    ['add-evidence', CLERK],
    ['add-note', ADMIN],
  ])('refuses %s by an actor without the role with forbidden', (type, actor) => {
    const { world, id } = receivedCase();
    expect(world.run(type, id, BODIES[type], actor)).toMatchObject({ ok: false, rejection: { code: 'forbidden' } });
  });

  it('answers not_found to a clerk on a case someone else submitted', () => {
    const { world, id } = receivedCase();
    expect(world.run('add-note', id, BODIES['add-note'], CLERK_2)).toEqual(refused('not_found', `no case ${id}`));
    expect(world.run('add-note', id, BODIES['add-note'], CLERK).ok).toBe(true);
  });

  it('answers not_found to a verifier on a referred case they did not verify', () => {
    const { world, id } = referredCase();
    expect(world.run('add-evidence', id, BODIES['add-evidence'], VERIFIER_2)).toEqual(
      refused('not_found', `no case ${id}`),
    );
    expect(world.run('add-evidence', id, BODIES['add-evidence'], VERIFIER).ok).toBe(true);
  });
});
