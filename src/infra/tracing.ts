import { ROOT_CONTEXT, context, propagation, trace, type Context, type Span } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { BatchSpanProcessor, SimpleSpanProcessor, TracerProvider, type SpanExporter } from '@opentelemetry/sdk-trace';
import { BullMQOtel } from 'bullmq-otel';

const TRACER_NAME = 'casetrail';

export interface Tracing {
  /** For BullMQ's queues and workers (bullmq-otel): their add and process spans. */
  telemetry: BullMQOtel;
  /** Sends what is still buffered and stops. */
  shutdown(): Promise<void>;
}

let enabled = false;

/**
 * Tracing is off unless an OTLP endpoint is configured (or a test hands in an exporter):
 * then spans go to it in batches, the W3C trace context is the propagation format, and the
 * active span follows async work (AsyncLocalStorage). Off, every call below is a no-op.
 */
export function startTracing(options: { otlpEndpoint?: string; exporter?: SpanExporter }): Tracing | null {
  const processor =
    options.exporter !== undefined
      ? new SimpleSpanProcessor({ exporter: options.exporter })
      : options.otlpEndpoint !== undefined
        ? new BatchSpanProcessor({ exporter: new OTLPTraceExporter({ url: options.otlpEndpoint }) })
        : null;
  if (processor === null) return null;
  const provider = new TracerProvider({ spanProcessors: [processor] });
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
  trace.setGlobalTracerProvider(provider);
  enabled = true;
  return {
    telemetry: new BullMQOtel({ tracerName: TRACER_NAME }),
    async shutdown() {
      await provider.shutdown();
    },
  };
}

export const tracingEnabled = (): boolean => enabled;

const tracer = () => trace.getTracer(TRACER_NAME);

/** The active trace context, serialized as bullmq-otel carries it in a job; null when no span is active. */
export function traceMetadata(): string | null {
  if (!enabled || trace.getSpan(context.active()) === undefined) return null;
  const carrier: Record<string, string> = {};
  propagation.inject(context.active(), carrier);
  return JSON.stringify(carrier);
}

/** The context a traceMetadata() string names (the root context for none). */
function contextOf(metadata: string | null | undefined): Context {
  if (!enabled || metadata === null || metadata === undefined) return ROOT_CONTEXT;
  return propagation.extract(ROOT_CONTEXT, JSON.parse(metadata) as Record<string, string>);
}

/** Runs fn within the trace a traceMetadata() string names (as it is, without one). */
export function inTrace<T>(metadata: string | null | undefined, fn: () => T): T {
  return enabled ? context.with(contextOf(metadata), fn) : fn();
}

/** Runs fn in a span of its own, child of the active one; ends it, recording an error thrown. */
export async function inSpan<T>(name: string, fn: (span: Span) => Promise<T>): Promise<T> {
  if (!enabled) return fn(trace.wrapSpanContext({ traceId: '', spanId: '', traceFlags: 0 }));
  return tracer().startActiveSpan(name, async (span) => {
    try {
      return await fn(span);
    } catch (error) {
      span.recordException(error as Error);
      span.setStatus({ code: 2 });
      throw error;
    } finally {
      span.end();
    }
  });
}

/** A span for one HTTP request (the caller ends it). */
export function startServerSpan(method: string, route: string): Span {
  return tracer().startSpan(`${method} ${route}`, {
    kind: 1,
    attributes: { 'http.request.method': method, 'http.route': route },
  });
}

/** Runs fn with the span active. */
export function inTraceOf<T>(span: Span, fn: () => T): T {
  return context.with(trace.setSpan(context.active(), span), fn);
}

/** The ids a log line carries while a span is active. */
export function traceIds(): { traceId: string; spanId: string } | undefined {
  if (!enabled) return undefined;
  const span = trace.getSpan(context.active())?.spanContext();
  return span === undefined ? undefined : { traceId: span.traceId, spanId: span.spanId };
}
