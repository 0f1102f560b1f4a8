// With tracing on, one command is one trace: the HTTP request, the command's job added and
// processed (bullmq-otel, its context carried from the outbox row), and the projections of
// the events it appended; the log lines written meanwhile carry the trace id. Spans are
// collected in process by an in-memory exporter.
import { InMemorySpanExporter, type ReadableSpan } from '@opentelemetry/sdk-trace';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTracing, type Tracing } from '../../src/infra/tracing.ts';
import { submitBody } from '../support/fixtures.ts';
import { eventually } from '../support/queue-harness.ts';
import { startSystem, type System } from '../support/system.ts';

const CONSUMER = 4;

describe('traces', () => {
  const exporter = new InMemorySpanExporter();
  let tracing: Tracing | null;
  let system: System;
  let clerk: string;

  beforeAll(async () => {
    tracing = startTracing({ exporter });
    if (tracing === null) throw new Error('tracing did not start');
    system = await startSystem({ backend: 'redis', harness: { telemetry: tracing.telemetry } });
    clerk = (await system.createUser(`clerk-${Date.now()}`, ['clerk'])).token;
  }, 60_000);
  afterAll(async () => {
    await system?.close();
    await tracing?.shutdown();
  });

  it('follow a command from its request through the outbox, the queue and the worker to the projections', async () => {
    const response = await fetch(`${system.baseUrl}/v1/cases?wait=true`, {
      method: 'POST',
      headers: { authorization: `Bearer ${clerk}`, 'content-type': 'application/json' },
      body: JSON.stringify(submitBody()),
    });
    expect(response.status).toBe(201);
    const caseId = ((await response.json()) as { id: string }).id;

    const request = await eventually(async () => exporter.getFinishedSpans().find((s) => s.name === 'POST /v1/cases'), {
      what: 'the request span',
    });
    const traceId = request.spanContext().traceId;
    const inTrace = (match: (span: ReadableSpan) => boolean) =>
      exporter.getFinishedSpans().filter((s) => s.spanContext().traceId === traceId && match(s));
    // The job that applied the command, a child of the request (through the outbox row).
    const processed = await eventually(
      async () => inTrace((s) => s.kind === CONSUMER && s.name.includes('intake'))[0],
      { what: 'the intake job processed in the trace' },
    );
    expect(processed.parentSpanContext?.spanId).toBeDefined();
    // The projections of case.received, in the same trace.
    const projected = await eventually(
      async () => {
        const spans = inTrace((s) => s.name.startsWith('project '));
        return spans.length >= 2 && spans;
      },
      { what: 'the projections in the trace' },
    );
    expect(projected.map((s) => s.name).sort()).toEqual(['project sla-timers', 'project webhooks']);
    expect(projected.every((s) => s.attributes['casetrail.case.id'] === caseId)).toBe(true);
    // One trace for the whole command: no other trace holds its projections.
    const elsewhere = exporter
      .getFinishedSpans()
      .filter((s) => s.name.startsWith('project ') && s.attributes['casetrail.case.id'] === caseId)
      .filter((s) => s.spanContext().traceId !== traceId);
    expect(elsewhere).toEqual([]);
    // What the worker logged while applying it names the trace.
    expect(system.harness.logs.some((line) => line.traceId === traceId)).toBe(true);
  });

  it('is off by default: no span, no trace id in the logs', async () => {
    const { startTracing: fresh } = await import('../../src/infra/tracing.ts');
    expect(fresh({})).toBeNull();
  });
});
