import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { FastifyAdapter } from '@bull-board/fastify';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AuthenticatedActor } from '../app/users.ts';
import { QUEUE_NAMES, type Role } from '../domain/index.ts';
import type { QueueFactory } from '../infra/queue/queue-factory.ts';
import type { Gate } from './auth.ts';
import { ProblemError, problemDocument, sendProblem } from './problems.ts';

const QUEUE_DASHBOARD_PATH = '/admin/queues';
const DASHBOARD_ROLES: readonly Role[] = ['supervisor', 'admin'];
const DASHBOARD_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

/**
 * bull-board over every queue, at /admin/queues, for supervisors and admins. The API's
 * only credential is a bearer token, so a browser must send `Authorization: Bearer <token>`
 * itself (a header-injecting extension or a reverse proxy): there is no login page or
 * cookie. The board is read-only except for retrying failed jobs (harmless: applying a
 * command or an event twice is a no-op); Postgres, not the dashboard, is the way to fix work.
 */
export async function registerQueueDashboard(
  app: FastifyInstance,
  deps: { gate: Gate; queues: Pick<QueueFactory, 'queues'> },
): Promise<void> {
  const serverAdapter = new FastifyAdapter();
  serverAdapter.setBasePath(QUEUE_DASHBOARD_PATH);
  createBullBoard({
    queues: QUEUE_NAMES.flatMap((name) =>
      deps.queues.queues(name).map((queue) => new BullMQAdapter(queue, { readOnlyMode: true, allowRetries: true })),
    ),
    serverAdapter,
    options: { uiConfig: { boardTitle: 'casetrail queues' } },
  });
  await app.register(async (scope) => {
    // The board's own scripts and styles only (it styles inline), and never in a frame.
    scope.addHook('onSend', async (_request, reply) => {
      reply.header('content-security-policy', DASHBOARD_CSP);
      reply.header('x-frame-options', 'DENY');
    });
    // bull-board renders errors thrown inside its routes with its own handler (as 500s),
    // so refusals are sent from the hook as problem documents instead of thrown.
    // The API's own gate: the same address, failure and token limits, the same token checks.
    scope.addHook('onRequest', async (request, reply) => guard(deps.gate, request, reply));
    await scope.register(serverAdapter.registerPlugin(), { prefix: QUEUE_DASHBOARD_PATH });
  });
}

async function guard(gate: Gate, request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply | undefined> {
  let actor: AuthenticatedActor;
  try {
    actor = await gate.admit(request);
  } catch (error) {
    if (!(error instanceof ProblemError)) throw error;
    reply.headers(error.headers);
    return sendProblem(reply, problemDocument(error.code, error.detail, request.id));
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
