import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { canWatchCase, type CaseQueryDeps } from '../../app/case-queries.ts';
import type { Actor } from '../../domain/index.ts';
import type { CaseChange, CaseFeed } from '../../app/database.ts';
import { actorOf } from '../auth.ts';
import { refuse } from '../problems.ts';
import { AUTHENTICATED_PROBLEMS, idParamsSchema, problemResponses } from '../schemas/common.schemas.ts';

export type CaseChangeDeps = CaseQueryDeps & { feed: CaseFeed; heartbeatMs?: number };

const HEARTBEAT_MS = 15_000;

const streamSchema = z
  .string()
  .describe(
    'text/event-stream: `event: case` with data {"caseId","version"} each time a command is applied to a case the caller may see; `event: resync` when changes may have been missed; a comment line every 15 s',
  );

/**
 * Server-Sent Events of case changes, for the console's live pages. Authenticated like every
 * /v1 route (the console reads the stream with fetch, which sends the Authorization header;
 * EventSource cannot), and access-checked per case: a change is sent only while the caller
 * may see that case. An event says which case reached which version, nothing more: the page
 * reads the case again through the usual, access-logged reads.
 */
export function caseChangeRoutes(app: FastifyInstance, deps: CaseChangeDeps): void {
  const typed = app.withTypeProvider<ZodTypeProvider>();

  typed.get('/cases/:id/changes', {
    schema: {
      tags: ['cases'],
      summary: 'Changes of one case, pushed as Server-Sent Events',
      params: idParamsSchema,
      response: { 200: streamSchema, ...problemResponses([...AUTHENTICATED_PROBLEMS, 404]) },
    },
    handler: async (request, reply) => {
      const actor = actorOf(request);
      const id = request.params.id;
      if (!(await canWatchCase(deps, actor, id))) refuse({ ok: false, code: 'not_found', detail: `no case ${id}` });
      await deps.feed.listening();
      stream(request, reply, deps, (change) => change.caseId === id && canWatchCase(deps, actor, id));
      return reply;
    },
  });

  typed.get('/changes', {
    schema: {
      tags: ['cases'],
      summary: 'Changes of every case the caller may see, pushed as Server-Sent Events',
      response: { 200: streamSchema, ...problemResponses([...AUTHENTICATED_PROBLEMS]) },
    },
    handler: async (request, reply) => {
      const actor = actorOf(request);
      await deps.feed.listening();
      stream(request, reply, deps, (change) => visible(deps, actor, change.caseId));
      return reply;
    },
  });
}

/** Supervisors see every case; anyone else only the cases canSeeCase grants them. */
function visible(deps: CaseQueryDeps, actor: Actor, caseId: string): boolean | Promise<boolean> {
  return actor.roles.includes('supervisor') || canWatchCase(deps, actor, caseId);
}

function stream(
  request: FastifyRequest,
  reply: FastifyReply,
  deps: CaseChangeDeps,
  accept: (change: { caseId: string; version: number }) => boolean | Promise<boolean>,
): void {
  reply.hijack();
  const raw = reply.raw;
  raw.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-store',
    'x-content-type-options': 'nosniff',
    'x-request-id': request.id,
  });
  raw.write('retry: 2000\n\n');
  // Changes are checked and written in the order they came.
  let queue = Promise.resolve();
  const send = (event: string, data: unknown) => raw.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
  const onChange = (change: CaseChange) => {
    queue = queue
      .then(async () => {
        if (change.caseId === null) send('resync', {});
        else if (await accept(change)) send('case', { caseId: change.caseId, version: change.version });
      })
      .catch((error: unknown) => request.log.warn({ err: error }, 'case change not sent'));
  };
  const unsubscribe = deps.feed.subscribe(onChange, () => raw.end());
  const heartbeat = setInterval(() => raw.write(': keep-alive\n\n'), deps.heartbeatMs ?? HEARTBEAT_MS);
  heartbeat.unref();
  raw.on('close', () => {
    clearInterval(heartbeat);
    unsubscribe();
  });
}
