import { describe, expect, it } from 'vitest';
import { COMMAND_TYPES, COMMANDS, EVENT_TYPES, type QueueName } from '../../src/domain/index.ts';
import {
  JOB_CATALOG,
  deduplicationId,
  jobIdFor,
  outboxIdOf,
  parseJob,
  queueNamesOf,
  routedQueues,
  shardOf,
} from '../../src/infra/queue/catalog.ts';
import { redisQueuePrefix } from '../../src/infra/queue/redis-connection.ts';
import { PROCESSORS, WorkerSetupError, checkProcessors, parseQueueSelection } from '../../workers/index.ts';
import { intakeProcessor } from '../../workers/intake.processor.ts';

const COMMAND_ID = '1b9d6bcd-bbfd-4b2d-9b5d-ab8dfbbd4bed';

describe('stage queues split into shards', () => {
  const caseIds = Array.from(
    { length: 400 },
    (_, n) => `${n.toString(16).padStart(8, '0')}-0000-4000-8000-000000000000`,
  );

  it('splits only the stage queues, each shard a queue of its own with its own hash tag', () => {
    const namesOf = queueNamesOf(4);
    expect(namesOf('verification')).toEqual(['verification-0', 'verification-1', 'verification-2', 'verification-3']);
    for (const queue of ['events', 'sla', 'webhooks']) expect(namesOf(queue)).toEqual([queue]);
    expect(queueNamesOf(1)('verification')).toEqual(['verification']);
    expect(redisQueuePrefix('ct', 'verification-2')).toBe('ct:{verification-2}');
  });

  it('sends every job of a case to one shard, and spreads the cases over all of them', () => {
    for (const caseId of caseIds) expect(shardOf(caseId, 4)).toBe(shardOf(caseId.toUpperCase(), 4));
    const counts = [0, 0, 0, 0];
    for (const caseId of caseIds) {
      const shard = shardOf(caseId, 4);
      counts[shard] = (counts[shard] ?? 0) + 1;
    }
    expect(counts).toEqual([100, 100, 100, 100]);
    expect(shardOf(undefined, 4)).toBe(0);
    expect(shardOf(caseIds[3], 1)).toBe(0);
  });
});

describe('the job catalog', () => {
  it('routes every command to the queue of its stage and every event to the events queue', () => {
    for (const type of COMMAND_TYPES)
      expect(JOB_CATALOG[type]).toMatchObject({ kind: 'command', queue: COMMANDS[type].queue });
    for (const type of EVENT_TYPES) expect(JOB_CATALOG[type]).toMatchObject({ kind: 'event', queue: 'events' });
    expect(JOB_CATALOG['sla.deadline']).toMatchObject({ kind: 'sla-timer', queue: 'sla' });
    expect(JOB_CATALOG['webhook.delivery']).toMatchObject({ kind: 'webhook', queue: 'webhooks' });
    expect(routedQueues()).toEqual([
      'intake',
      'verification',
      'referral',
      'penalty',
      'closure',
      'events',
      'sla',
      'webhooks',
    ]);
  });

  it('accepts a job only on its own queue and with data of its schema', () => {
    expect(parseJob('verification', 'verify', { commandId: COMMAND_ID })).toEqual({
      ok: true,
      kind: 'command',
      data: { commandId: COMMAND_ID },
    });
    expect(parseJob('events', 'case.closed', { eventId: '42', caseId: COMMAND_ID, seq: 3 })).toMatchObject({
      ok: true,
      kind: 'event',
    });
    expect(parseJob('intake', 'verify', { commandId: COMMAND_ID })).toMatchObject({
      ok: false,
      reason: 'job verify belongs to queue verification, not intake',
    });
    expect(parseJob('intake', 'submit', { commandId: 'not-a-uuid' })).toMatchObject({ ok: false });
    expect(parseJob('intake', 'toString', {})).toMatchObject({ ok: false, reason: 'unknown job name "toString"' });
    expect(parseJob('events', 'case.closed', { eventId: '0', caseId: COMMAND_ID, seq: 1 })).toMatchObject({
      ok: false,
    });
  });

  it('names the work, not the delivery, for deduplication', () => {
    const command = parseJob('intake', 'submit', { commandId: COMMAND_ID });
    const event = parseJob('events', 'case.received', { eventId: '7', caseId: COMMAND_ID, seq: 1 });
    if (!command.ok || !event.ok) throw new Error('fixture');
    expect([deduplicationId(command), deduplicationId(event)]).toEqual([`cmd-${COMMAND_ID}`, 'evt-7']);
  });

  it('derives job ids from outbox rows and back, without colons', () => {
    expect(jobIdFor(COMMAND_ID)).toBe(COMMAND_ID);
    expect(jobIdFor(COMMAND_ID, 3)).toBe(`${COMMAND_ID}-r3`);
    expect(outboxIdOf(`${COMMAND_ID}-r3`)).toBe(COMMAND_ID);
    expect(outboxIdOf('added-by-hand')).toBeNull();
    expect(outboxIdOf(undefined)).toBeNull();
  });

  it('gives each queue its own Redis Cluster hash tag', () => {
    expect(redisQueuePrefix('casetrail', 'intake')).toBe('casetrail:{intake}');
    expect(redisQueuePrefix('casetrail', 'events')).toBe('casetrail:{events}');
  });
});

describe('the worker start-up check', () => {
  it('passes for the processors of the catalog', () => {
    expect(() => checkProcessors(PROCESSORS)).not.toThrow();
  });

  it('fails loudly when a queue has no processor, or two, or a processor has no jobs', () => {
    expect(() => checkProcessors(PROCESSORS.filter((p) => p !== intakeProcessor))).toThrow(
      /queue intake has no processor/,
    );
    expect(() => checkProcessors([...PROCESSORS, intakeProcessor])).toThrow(/queue intake has 2 processors/);
    expect(() =>
      checkProcessors([...PROCESSORS, { queue: 'reviews' as QueueName, create: intakeProcessor.create }]),
    ).toThrow(/queue reviews has a processor but no job in the catalog/);
  });

  it('parses a --queues selection and refuses unknown names', () => {
    expect(parseQueueSelection('all')).toBe('all');
    expect(parseQueueSelection('verification, referral,verification')).toEqual(['verification', 'referral']);
    expect(() => parseQueueSelection('verification,reviews')).toThrow(WorkerSetupError);
    expect(() => parseQueueSelection(' , ')).toThrow(/none given/);
  });
});
