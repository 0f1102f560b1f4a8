// A new report of an item whose earlier case is closed: not a duplicate (nothing is open to
// merge into), but linked both ways so the earlier work is seen; and links shown only to
// those who may read the linked case.
import { describe, expect, it } from 'vitest';
import { visibleLinks, withheldLinks } from '../../src/domain/index.ts';
import { CLERK, CLERK_2, SUPERVISOR, VERIFIER, createWorld, submitBody, verifyBody } from './domain-world.ts';

const URL = 'https://www.facebook.com/groups/123/posts/456';

describe('a re-report of an item whose case is closed', () => {
  it.each([
    [
      'dismissed',
      (w: ReturnType<typeof createWorld>, id: string) => w.claimAndVerify(id, verifyBody('accurate', []), VERIFIER),
    ],
    [
      'withdrawn',
      (w: ReturnType<typeof createWorld>, id: string) =>
        w.must('withdraw', id, { reason: 'Tip withdrawn.' }, SUPERVISOR),
    ],
  ])('is linked to the %s case, both ways, as the same item', (_how, close) => {
    const world = createWorld();
    const earlier = world.submit(submitBody({ url: URL, content: 'first' }));
    close(world, earlier);
    const again = world.submit(
      submitBody({ url: 'https://m.facebook.com/groups/123/posts/456', content: 'second' }),
      CLERK_2,
    );
    expect(world.state(again)).toMatchObject({ stage: 'received', duplicateOf: null, relatedCases: [earlier] });
    expect(world.state(earlier).relatedCases).toEqual([again]);
    const fingerprint = world.state(again).fingerprint;
    expect(world.eventsOf(again).map((e) => [e.type, e.payload])).toContainEqual([
      'case.related_linked',
      { relatedCaseId: earlier, fingerprint },
    ]);
    expect(world.eventsOf(earlier).at(-1)).toMatchObject({
      type: 'case.related_linked',
      payload: { relatedCaseId: again, fingerprint },
    });
  });

  it('is not linked to a case closed as a duplicate, only to its original', () => {
    const world = createWorld();
    const original = world.submit(submitBody({ url: URL, content: 'first' }));
    const duplicate = world.submit(submitBody({ url: URL, content: 'second' }), CLERK_2);
    world.must('withdraw', original, { reason: 'Tip withdrawn.' }, SUPERVISOR);
    const again = world.submit(submitBody({ url: URL, content: 'third' }));
    expect(world.state(again).relatedCases).toEqual([original]);
    expect(world.state(duplicate).relatedCases).toEqual([]);
  });
});

describe('links an actor may see', () => {
  it('shows a clerk only the linked cases they can read, and withholds the others in events', () => {
    const world = createWorld();
    const theirs = world.submit(submitBody({ url: URL, content: 'first' }), CLERK_2);
    world.must('withdraw', theirs, { reason: 'Tip withdrawn.' }, SUPERVISOR);
    const mine = world.submit(submitBody({ url: URL, content: 'second' }), CLERK);
    const linked = new Map([[theirs, world.state(theirs)]]);
    expect(visibleLinks(CLERK, world.state(mine), linked)).toEqual({ relatedCases: [], duplicateOf: null });
    expect(visibleLinks(SUPERVISOR, world.state(mine), linked)).toEqual({ relatedCases: [theirs], duplicateOf: null });
    const link = world.eventsOf(mine).find((e) => e.type === 'case.related_linked');
    expect(link).toBeDefined();
    if (link === undefined) return;
    expect(withheldLinks(link, () => false).payload).toMatchObject({ relatedCaseId: null });
    expect(withheldLinks(link, () => true)).toBe(link);
  });
});
