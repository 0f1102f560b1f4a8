// What the load is made of: cases driven through their lifecycles over HTTP, one command
// after the other, as clerks, verifiers and supervisors would, plus races that one command
// must win and the other lose with a 409. Each plan states the stage and outcome its case
// must end in; every command sent is kept in the ledger for the final accounting.
import { randomUUID } from 'node:crypto';
import type { CommandType, Outcome, Stage } from '../../../src/domain/index.ts';
import { BODIES, penaltyBody, submitBody, verifyBody } from '../../support/fixtures.ts';
import type { CommandClient, Person, SendOptions, SentCommand } from './command-client.ts';

export type People = { clerks: Person[]; verifiers: Person[]; supervisors: Person[] };
export type ExpectedCase = { caseId: string; plan: string; stage: Stage; outcome: Outcome | null };

type Expect = 'applied' | readonly string[];
type Cast = { clerk: Person; verifier: Person; otherVerifier: Person; supA: Person; supB: Person };

type PlanContext = {
  client: CommandClient;
  ledger: SentCommand[];
  cast: Cast;
  /** Unique per case in the run: URLs, content and decision numbers derive from it. */
  tag: string;
};

class PlanFailure extends Error {
  override readonly name = 'PlanFailure';
}

/** Some first attempts are abandoned after a few ms and some requests are sent twice at once. */
function chaos(): SendOptions {
  const roll = Math.random();
  if (roll < 0.15) return { abandonFirstAfterMs: 1 + Math.floor(Math.random() * 40) };
  if (roll < 0.2) return { doubleSend: true };
  return {};
}

function describe(sent: SentCommand): string {
  return sent.outcome.status === 'applied' ? 'applied' : `rejected ${sent.outcome.code}`;
}

async function send(
  c: PlanContext,
  who: Person,
  type: CommandType,
  caseId: string | null,
  body: unknown,
  options: SendOptions = chaos(),
): Promise<SentCommand> {
  const sent = await c.client.send(who, type, caseId, body, options);
  c.ledger.push(sent);
  return sent;
}

function check(sent: SentCommand, expected: Expect): void {
  const ok =
    expected === 'applied'
      ? sent.outcome.status === 'applied'
      : sent.outcome.status === 'rejected' && expected.includes(sent.outcome.code);
  if (!ok)
    throw new PlanFailure(`case ${sent.caseId}: ${sent.type} expected ${String(expected)}, was ${describe(sent)}`);
}

async function step(
  c: PlanContext,
  who: Person,
  type: CommandType,
  caseId: string,
  body: unknown,
  options?: SendOptions,
): Promise<SentCommand> {
  const sent = await send(c, who, type, caseId, body, options);
  check(sent, 'applied');
  return sent;
}

async function submit(c: PlanContext, url = `https://www.facebook.com/groups/faults/posts/${c.tag}`): Promise<string> {
  const sent = await send(
    c,
    c.cast.clerk,
    'submit',
    null,
    submitBody({ url, content: `Fault-suite claim ${c.tag} ${randomUUID()}` }),
  );
  check(sent, 'applied');
  return sent.caseId;
}

/** Two commands at once on one case: exactly one applies, the other is refused with one of `loserCodes`. */
async function race(
  a: () => Promise<SentCommand>,
  b: () => Promise<SentCommand>,
  loserCodes: readonly string[],
): Promise<0 | 1> {
  const results = await Promise.all([a(), b()]);
  const winners = results.flatMap((r, i) => (r.outcome.status === 'applied' ? [i] : []));
  const loser = results.find((r) => r.outcome.status === 'rejected');
  if (winners.length !== 1 || loser === undefined) {
    throw new PlanFailure(
      `race on case ${results[0].caseId}: ${results.map((r) => `${r.type} ${describe(r)}`).join(', ')}; expected one winner`,
    );
  }
  check(loser, loserCodes);
  return winners[0] as 0 | 1;
}

const verified = async (c: PlanContext): Promise<string> => {
  const id = await submit(c);
  await step(c, c.cast.verifier, 'claim', id, {});
  await step(c, c.cast.verifier, 'verify', id, verifyBody());
  return id;
};

const penalty = (c: PlanContext) => penaltyBody({ decisionNo: `QD-${c.tag}` });

const closed = (caseId: string, plan: string, outcome: Outcome): ExpectedCase => ({
  caseId,
  plan,
  stage: 'closed',
  outcome,
});

export type Plan = { name: string; run(c: PlanContext): Promise<ExpectedCase[]> };

export const PLANS: readonly Plan[] = [
  {
    name: 'penalty enforced',
    async run(c) {
      const id = await verified(c);
      await step(c, c.cast.supA, 'refer', id, BODIES.refer);
      await step(c, c.cast.supA, 'record-penalty', id, penalty(c));
      await step(c, c.cast.supB, 'close', id, BODIES.close);
      return [closed(id, this.name, 'penalty_enforced')];
    },
  },
  {
    name: 'dismissed',
    async run(c) {
      const id = await submit(c);
      await step(c, c.cast.verifier, 'claim', id, {});
      await step(c, c.cast.verifier, 'verify', id, verifyBody('accurate', []));
      return [closed(id, this.name, 'dismissed')];
    },
  },
  {
    name: 'no violation',
    async run(c) {
      const id = await submit(c);
      await step(c, c.cast.verifier, 'claim', id, {});
      await step(c, c.cast.verifier, 'verify', id, verifyBody('misleading'));
      await step(c, c.cast.supA, 'add-evidence', id, BODIES['add-evidence']);
      await step(c, c.cast.supA, 'refer', id, BODIES.refer);
      await step(c, c.cast.supB, 'record-no-violation', id, BODIES['record-no-violation']);
      return [closed(id, this.name, 'no_violation')];
    },
  },
  {
    name: 'penalty overturned on appeal',
    async run(c) {
      const id = await verified(c);
      await step(c, c.cast.supA, 'refer', id, BODIES.refer);
      await step(c, c.cast.supA, 'record-penalty', id, penalty(c));
      await step(c, c.cast.supB, 'file-appeal', id, BODIES['file-appeal']);
      await step(c, c.cast.supB, 'decide-appeal', id, { decision: 'overturned', note: 'The post was satire.' });
      return [closed(id, this.name, 'penalty_overturned')];
    },
  },
  {
    name: 'penalty upheld on appeal',
    async run(c) {
      const id = await verified(c);
      await step(c, c.cast.supA, 'refer', id, BODIES.refer);
      await step(c, c.cast.supA, 'record-penalty', id, penalty(c));
      await step(c, c.cast.supA, 'file-appeal', id, BODIES['file-appeal']);
      await step(c, c.cast.supB, 'decide-appeal', id, BODIES['decide-appeal']);
      await step(c, c.cast.supA, 'close', id, BODIES.close);
      return [closed(id, this.name, 'penalty_enforced')];
    },
  },
  {
    name: 'withdrawn',
    async run(c) {
      const id = await submit(c);
      await step(c, c.cast.clerk, 'add-note', id, BODIES['add-note']);
      await step(c, c.cast.verifier, 'claim', id, {});
      await step(c, c.cast.verifier, 'add-evidence', id, BODIES['add-evidence']);
      await step(c, c.cast.supB, 'withdraw', id, BODIES.withdraw);
      return [closed(id, this.name, 'withdrawn')];
    },
  },
  {
    name: 'racing claims, then racing decisions',
    async run(c) {
      const id = await submit(c);
      const { verifier, otherVerifier, supA, supB } = c.cast;
      const claimer = await race(
        () => send(c, verifier, 'claim', id, {}, {}),
        () => send(c, otherVerifier, 'claim', id, {}, {}),
        ['claimed_by_other'],
      );
      await step(c, claimer === 0 ? verifier : otherVerifier, 'verify', id, verifyBody());
      await step(c, supA, 'refer', id, BODIES.refer);
      const decided = await race(
        () => send(c, supA, 'record-penalty', id, penalty(c), {}),
        () => send(c, supB, 'record-no-violation', id, BODIES['record-no-violation'], {}),
        ['invalid_transition'],
      );
      if (decided === 1) return [closed(id, this.name, 'no_violation')];
      await step(c, supB, 'close', id, BODIES.close);
      return [closed(id, this.name, 'penalty_enforced')];
    },
  },
  {
    name: 'racing on one version',
    async run(c) {
      const id = await submit(c);
      await step(c, c.cast.verifier, 'claim', id, {});
      // received (1) and claimed (2): both notes are written against version 2.
      const note = (who: Person) => () => send(c, who, 'add-note', id, BODIES['add-note'], { expectedVersion: 2 });
      await race(note(c.cast.verifier), note(c.cast.otherVerifier), ['version_conflict']);
      await step(c, c.cast.verifier, 'verify', id, verifyBody('unverifiable', []));
      return [closed(id, this.name, 'dismissed')];
    },
  },
  {
    name: 'duplicate report',
    async run(c) {
      const original = await submit(c);
      const duplicate = await submit(c, `HTTPS://www.facebook.com/groups/faults/posts/${c.tag}/?utm_source=share`);
      await step(c, c.cast.supB, 'withdraw', original, BODIES.withdraw);
      return [closed(original, this.name, 'withdrawn'), closed(duplicate, this.name, 'duplicate')];
    },
  },
];

/** The people of case number n: nobody is asked to breach a separation of duties. */
export function castFor(people: People, n: number): Cast {
  const pick = (list: Person[], offset: number) => list[(n + offset) % list.length] as Person;
  return {
    clerk: pick(people.clerks, 0),
    verifier: pick(people.verifiers, 0),
    otherVerifier: pick(people.verifiers, 1),
    supA: pick(people.supervisors, 0),
    supB: pick(people.supervisors, 1),
  };
}
