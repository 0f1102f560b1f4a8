import type { FastifyInstance } from 'fastify';
import { metricsRegistry, refreshGauges, type GaugeSources } from '../../infra/metrics.ts';

/**
 * Prometheus text at /metrics, outside /v1 and without a token, like /healthz: scrapers
 * rarely hold API tokens, and the series carry counts only (no case, person or URL).
 * Keep the port off the public network, or put the scrape behind the reverse proxy's auth.
 */
export function metricsRoutes(app: FastifyInstance, sources: GaugeSources): void {
  app.get('/metrics', { schema: { hide: true } }, async (_request, reply) => {
    await refreshGauges(sources);
    return reply
      .type(metricsRegistry.contentType)
      .header('cache-control', 'no-store')
      .send(await metricsRegistry.metrics());
  });
}
