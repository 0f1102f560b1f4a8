import type pg from 'pg';
import type { Actor, FieldProblem } from '../domain/index.ts';
import { insertTopic, selectTopics, unknownTopicCodes, type TopicRow } from '../infra/db/topic.repository.ts';

// Topics (docs/design.md §11): supervisors create them, everyone reads them; cases are
// tagged through the change-topics command, whose codes must name topics that exist.

export type TopicDeps = { pool: pg.Pool };
export type Topic = TopicRow;

export async function createTopic(
  deps: TopicDeps,
  actor: Actor,
  input: { code: string; name: string },
): Promise<{ ok: true; topic: Topic } | { ok: false; code: 'forbidden' | 'name_taken'; detail: string }> {
  if (!actor.roles.includes('supervisor')) {
    return { ok: false, code: 'forbidden', detail: 'creating a topic needs the supervisor role' };
  }
  const topic = await insertTopic(deps.pool, { ...input, createdBy: actor.id });
  if (topic === null) return { ok: false, code: 'name_taken', detail: `topic ${input.code} already exists` };
  return { ok: true, topic };
}

export function listTopics(deps: TopicDeps): Promise<Topic[]> {
  return selectTopics(deps.pool);
}

/** A problem per code that names no topic, at its path: `topic` for a single code, `add.1` in a list. */
export async function unknownTopics(
  deps: TopicDeps,
  fields: Record<string, string | readonly string[] | undefined>,
): Promise<FieldProblem[]> {
  const named = Object.entries(fields).flatMap(([field, value]) =>
    value === undefined
      ? []
      : typeof value === 'string'
        ? [{ path: field, code: value }]
        : value.map((code, i) => ({ path: `${field}.${i}`, code })),
  );
  const unknown = new Set(
    await unknownTopicCodes(
      deps.pool,
      named.map((n) => n.code),
    ),
  );
  return named.filter((n) => unknown.has(n.code)).map((n) => ({ path: n.path, message: `no topic ${n.code}` }));
}
