import { z } from 'zod';
import {
  COMMAND_TYPES,
  COMMANDS,
  EVENT_TYPES,
  OPEN_STAGES,
  assertNever,
  QUEUE_NAMES,
  type CommandType,
  type EventType,
  type QueueName,
  type SlaTimer,
} from '../../domain/index.ts';

/**
 * A command job carries its id (the command itself is read from Postgres, the record) and
 * its case, which picks the shard of a split stage queue (absent from jobs stored before).
 */
const commandJobSchema = z.object({ commandId: z.uuid(), caseId: z.uuid().optional() });
type CommandJobData = z.output<typeof commandJobSchema>;

/** An event job points at one appended event; projections read the event from Postgres. */
const eventJobSchema = z.object({
  eventId: z.string().regex(/^[1-9]\d{0,18}$/, 'a positive integer id'),
  caseId: z.uuid(),
  seq: z.number().int().positive(),
});
type EventJobData = z.output<typeof eventJobSchema>;

/** A delayed job that fires at a stage visit's deadline; it carries the visit it watches. */
const slaTimerJobSchema = z.object({
  caseId: z.uuid(),
  stage: z.enum(OPEN_STAGES),
  stageEnteredAt: z.iso.datetime(),
  deadlineAt: z.iso.datetime(),
});
export type SlaTimerJobData = z.output<typeof slaTimerJobSchema>;

/** One webhook delivery (an event to an endpoint); the rest is read from Postgres. */
const webhookJobSchema = z.object({ deliveryId: z.uuid() });
type WebhookJobData = z.output<typeof webhookJobSchema>;

export const SLA_TIMER_JOB = 'sla.deadline';
export const WEBHOOK_JOB = 'webhook.delivery';

type CommandJobSpec = { kind: 'command'; queue: QueueName; schema: typeof commandJobSchema };
type EventJobSpec = { kind: 'event'; queue: 'events'; schema: typeof eventJobSchema };
type SlaTimerJobSpec = { kind: 'sla-timer'; queue: 'sla'; schema: typeof slaTimerJobSchema };
type WebhookJobSpec = { kind: 'webhook'; queue: 'webhooks'; schema: typeof webhookJobSchema };
type JobSpec = CommandJobSpec | EventJobSpec | SlaTimerJobSpec | WebhookJobSpec;
type JobName = CommandType | EventType | typeof SLA_TIMER_JOB | typeof WEBHOOK_JOB;

/**
 * The one table of truth for jobs: job name → kind and data schema → queue. The relay
 * publishes only what is listed here, workers parse with the same schemas, and the
 * worker start-up check requires exactly one processor for every queue listed here.
 */
export const JOB_CATALOG: Readonly<
  Record<CommandType, CommandJobSpec> &
    Record<EventType, EventJobSpec> &
    Record<typeof SLA_TIMER_JOB, SlaTimerJobSpec> &
    Record<typeof WEBHOOK_JOB, WebhookJobSpec>
> = {
  ...(Object.fromEntries(
    COMMAND_TYPES.map((type) => [type, { kind: 'command', queue: COMMANDS[type].queue, schema: commandJobSchema }]),
  ) as Record<CommandType, CommandJobSpec>),
  ...(Object.fromEntries(
    EVENT_TYPES.map((type) => [type, { kind: 'event', queue: 'events', schema: eventJobSchema }]),
  ) as Record<EventType, EventJobSpec>),
  [SLA_TIMER_JOB]: { kind: 'sla-timer', queue: 'sla', schema: slaTimerJobSchema },
  [WEBHOOK_JOB]: { kind: 'webhook', queue: 'webhooks', schema: webhookJobSchema },
};

function jobSpec(name: string): JobSpec | undefined {
  return Object.hasOwn(JOB_CATALOG, name) ? JOB_CATALOG[name as JobName] : undefined;
}

/** The queues some job is routed to, in QUEUE_NAMES order. */
export function routedQueues(): QueueName[] {
  const used = new Set(Object.values(JOB_CATALOG).map((spec) => spec.queue));
  return QUEUE_NAMES.filter((queue) => used.has(queue));
}

/** Command type → its queue, as the catalog routes it. */
export function commandRoutes(): { type: CommandType; queue: QueueName }[] {
  return COMMAND_TYPES.map((type) => ({ type, queue: JOB_CATALOG[type].queue }));
}

/** The queues commands are routed to: the stage queues, which CASETRAIL_QUEUE_SHARDS splits. */
function stageQueues(): QueueName[] {
  const used = new Set(commandRoutes().map((route) => route.queue));
  return QUEUE_NAMES.filter((queue) => used.has(queue));
}

/**
 * The queues one stage queue is split into: itself when not split, `<queue>-<n>` otherwise.
 * Each is a queue of its own, with its own hash tag, so the shards spread over a cluster.
 */
function shardNames(queue: string, shards: number): string[] {
  return shards <= 1 ? [queue] : Array.from({ length: shards }, (_, n) => `${queue}-${n}`);
}

/** A queue's name → the names of the queues its jobs live in (its shards, for a split stage queue). */
export function queueNamesOf(shards: number): (name: string) => string[] {
  const split = new Set<string>(shards > 1 ? stageQueues() : []);
  return (name) => (split.has(name) ? shardNames(name, shards) : [name]);
}

/** The shard of a case: every job of one case in one stage goes to one shard, in order. */
export function shardOf(caseId: string | undefined, shards: number): number {
  if (shards <= 1 || caseId === undefined) return 0;
  return Number.parseInt(caseId.replaceAll('-', '').slice(0, 8), 16) % shards;
}

export type ParsedJob =
  | { ok: true; kind: 'command'; data: CommandJobData }
  | { ok: true; kind: 'event'; data: EventJobData }
  | { ok: true; kind: 'sla-timer'; data: SlaTimerJobData }
  | { ok: true; kind: 'webhook'; data: WebhookJobData }
  | { ok: false; reason: string };

/** Checks a job (or an outbox row about to become one) against the catalog. */
export function parseJob(queue: string, name: string, data: unknown): ParsedJob {
  const spec = jobSpec(name);
  if (spec === undefined) return { ok: false, reason: `unknown job name ${JSON.stringify(name)}` };
  if (spec.queue !== queue) return { ok: false, reason: `job ${name} belongs to queue ${spec.queue}, not ${queue}` };
  const parsed = spec.schema.safeParse(data);
  if (!parsed.success) return { ok: false, reason: z.prettifyError(parsed.error) };
  // Each spec pairs its kind with its schema, so the parsed data is that kind's.
  return { ok: true, kind: spec.kind, data: parsed.data } as ParsedJob;
}

/**
 * While a job for this id is waiting, delayed or running, adding another one for the same
 * work is a no-op (BullMQ deduplication, released when the job completes or fails for
 * good). This is what lets the relay and the reconciler republish without storms.
 */
export function deduplicationId(parsed: Extract<ParsedJob, { ok: true }>): string {
  switch (parsed.kind) {
    case 'command':
      return `cmd-${parsed.data.commandId}`;
    case 'event':
      return `evt-${parsed.data.eventId}`;
    case 'sla-timer':
      return slaTimerJobId(parsed.data);
    case 'webhook':
      return `whd-${parsed.data.deliveryId}`;
    default:
      return assertNever(parsed);
  }
}

/**
 * The job id of a stage visit's timer: one per case, stage and time of entry, so scheduling
 * it again (an event projected twice) adds nothing while the timer waits.
 */
export function slaTimerJobId(timer: Pick<SlaTimer, 'caseId' | 'stage' | 'stageEnteredAt'>): string {
  return `sla-${timer.caseId}-${timer.stage}-${Date.parse(timer.stageEnteredAt)}`;
}

const UUID_PREFIX = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/;

/** Job ids: the outbox row id, and `<row id>-r<n>` when the reconciler republishes it. */
export function jobIdFor(outboxId: string, republish = 0): string {
  return republish === 0 ? outboxId : `${outboxId}-r${republish}`;
}

/** The outbox row a job came from, or null for a job added by hand (tests, tools). */
export function outboxIdOf(jobId: string | undefined): string | null {
  const match = jobId === undefined ? null : UUID_PREFIX.exec(jobId);
  return match ? match[0] : null;
}
