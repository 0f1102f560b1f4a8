import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { Logger } from '../infra/logger.ts';
import { healthRoutes, type HealthChecks } from './routes/health.routes.ts';

export interface ServerDeps {
  log: Logger;
  health: HealthChecks;
}

export async function buildServer(deps: ServerDeps): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: deps.log as FastifyBaseLogger,
    bodyLimit: 1024 * 1024,
    requestIdHeader: 'x-request-id',
    disableRequestLogging: false,
  });
  healthRoutes(app, deps.health);
  return app;
}
