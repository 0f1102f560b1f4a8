import type { Span } from '@opentelemetry/api';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { inTraceOf, startServerSpan, tracingEnabled } from '../../infra/tracing.ts';

const spans = new WeakMap<FastifyRequest, Span>();

/**
 * With tracing on, every request is a server span, active while its handler runs (from
 * preHandler on: the body is parsed by then), so a command stored by the request carries
 * its trace into the outbox, the queue, the worker and the projections.
 */
export function registerRequestSpans(app: FastifyInstance): void {
  if (!tracingEnabled()) return;
  app.addHook('onRequest', (request, _reply, done) => {
    spans.set(request, startServerSpan(request.method, request.routeOptions.url ?? request.url));
    done();
  });
  app.addHook('preHandler', (request, _reply, done) => {
    const span = spans.get(request);
    if (span === undefined) done();
    else inTraceOf(span, done);
  });
  app.addHook('onResponse', (request, reply, done) => {
    const span = spans.get(request);
    span?.setAttribute('http.response.status_code', reply.statusCode);
    if (reply.statusCode >= 500) span?.setStatus({ code: 2 });
    span?.end();
    done();
  });
}
