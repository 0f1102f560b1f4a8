import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { FastifyAdapter } from '@bull-board/fastify';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { DatabasePool } from '../app/database.ts';
import { authenticate } from '../app/users.ts';
import { QUEUE_NAMES, type Role } from '../domain/index.ts';
import type { QueueFactory } from '../infra/queue/queue-factory.ts';
import { bearerToken } from './auth.ts';
import { problemDocument, sendProblem } from './problems.ts';

const QUEUE_DASHBOARD_PATH = '/admin/queues';
const DASHBOARD_ROLES: readonly Role[] = ['supervisor', 'admin'];

/**
 * bull-board over every queue, at /admin/queues, for supervisors and admins. The API's
 * only credential is a bearer token, so a browser must send `Authorization: Bearer <token>`
 * itself (a header-injecting extension or a reverse proxy): there is no login page or
 * cookie. The board is read-only except for retrying failed jobs (harmless: applying a
 * command or an event twice is a no-op); Postgres, not the dashboard, is the way to fix work.
 */
export async function registerQueueDashboard(
  app: FastifyInstance,
  deps: { pool: DatabasePool; queues: Pick<QueueFactory, 'queue'> },
): Promise<void> {
  const serverAdapter = new FastifyAdapter();
  serverAdapter.setBasePath(QUEUE_DASHBOARD_PATH);
  createBullBoard({
    queues: QUEUE_NAMES.map(
      (name) => new BullMQAdapter(deps.queues.queue(name), { readOnlyMode: true, allowRetries: true }),
    ),
    serverAdapter,
    options: { uiConfig: { boardTitle: 'casetrail queues' } },
  });
  await app.register(async (scope) => {
    // bull-board renders errors thrown inside its routes with its own handler (as 500s),
    // so refusals are sent from the hook as problem documents instead of thrown.
    scope.addHook('onRequest', async (request, reply) => guard(deps, request, reply));
    await scope.register(serverAdapter.registerPlugin(), { prefix: QUEUE_DASHBOARD_PATH });
  });
}

async function guard(
  deps: { pool: DatabasePool },
  request: FastifyRequest,
  reply: FastifyReply,
): Promise<FastifyReply | undefined> {
  const token = bearerToken(request);
  const actor = token === null ? null : await authenticate(deps, token);
  if (actor === null) {
    const detail =
      token === null
        ? 'send an API token as Authorization: Bearer <token>'
        : 'the token is not valid (unknown, malformed or revoked)';
    return sendProblem(reply, problemDocument('unauthenticated', detail, request.id));
  }
  if (!actor.roles.some((role) => DASHBOARD_ROLES.includes(role))) {
    return sendProblem(
      reply,
      problemDocument(
        'forbidden',
        `the queue dashboard needs one of the roles ${DASHBOARD_ROLES.join(', ')}`,
        request.id,
      ),
    );
  }
  return undefined;
}
