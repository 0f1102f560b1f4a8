// The faults of docs/design.md §9, injected while the load runs, and the load itself: lanes of
// clients driving cases through their plans. Faults fire at evenly spaced points of the
// load (by commands finished), so each one hits work in flight and each is followed by
// more work that must get through.
import type pg from 'pg';
import { COMMANDS, type CommandType } from '../../../src/domain/index.ts';
import type { QueueFactory } from '../../../src/infra/queue/queue-factory.ts';
import type { ChildSystem } from '../../support/child-system.ts';
import type { CommandClient, SentCommand } from './command-client.ts';
import { PLANS, castFor, type ExpectedCase, type People } from './lifecycle-plans.ts';

export type Fault = { kind: string; inject(): Promise<void> };
export type InjectedFault = { kind: string; atCommand: number; tookMs: number };

export interface Load {
  ledger: SentCommand[];
  expected: ExpectedCase[];
  failures: string[];
  /** While true, lanes keep starting new plans past the minimum (faults are still coming). */
  keepRunning: boolean;
  readonly finished: boolean;
  done: Promise<void>;
}

/**
 * Runs at least `minRuns` plans (about five commands each) over `lanes` concurrent clients,
 * and more while `keepRunning` holds, up to `maxRuns`.
 */
export function startLoad(options: {
  client: CommandClient;
  people: People;
  minRuns: number;
  maxRuns: number;
  lanes: number;
  tag: string;
}): Load {
  let next = 0;
  let finished = false;
  const load: Load = {
    ledger: [],
    expected: [],
    failures: [],
    keepRunning: true,
    get finished() {
      return finished;
    },
    done: Promise.resolve(),
  };
  const lane = async () => {
    while ((next < options.minRuns || load.keepRunning) && next < options.maxRuns) {
      const n = next++;
      const plan = PLANS[n % PLANS.length];
      if (plan === undefined) continue;
      try {
        load.expected.push(
          ...(await plan.run({
            client: options.client,
            ledger: load.ledger,
            cast: castFor(options.people, n),
            tag: `${options.tag}-${n}`,
          })),
        );
      } catch (error) {
        load.failures.push(`${plan.name} #${n}: ${(error as Error).message}`);
      }
    }
  };
  load.done = Promise.all(Array.from({ length: options.lanes }, lane)).then(() => {
    finished = true;
  });
  return load;
}

/**
 * Injects the faults one after the other, each once `gap` more commands have finished
 * since the one before (so each hits work in flight and is followed by work that must get
 * through), and lets the load wind down `gap` commands after the last. Fails if the load
 * ends before every fault was injected.
 */
export async function injectDuring(load: Load, faults: readonly Fault[], gap: number): Promise<InjectedFault[]> {
  const injected: InjectedFault[] = [];
  let mark = 0;
  const waitForProgress = async (what: string) => {
    while (load.ledger.length < mark + gap && !load.finished) await pause(100);
    if (load.finished) throw new Error(`the load ended before ${what}`);
  };
  try {
    for (const [i, fault] of faults.entries()) {
      await waitForProgress(`the fault ${fault.kind} (${i + 1} of ${faults.length}) was injected`);
      const started = Date.now();
      const atCommand = load.ledger.length;
      if (process.env.FAULT_PROGRESS) console.info(`injecting ${fault.kind} at ${atCommand}`);
      await fault.inject();
      injected.push({ kind: fault.kind, atCommand, tookMs: Date.now() - started });
      mark = load.ledger.length;
    }
    await waitForProgress('work after the last fault got through');
  } finally {
    load.keepRunning = false;
  }
  return injected;
}

/** Open transactions of the workers' connections: a kill now lands mid-transition. */
async function workerTransactionsOpen(pool: pg.Pool): Promise<boolean> {
  const { rows } = await pool.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM pg_stat_activity
      WHERE datname = current_database() AND application_name = 'casetrail-worker' AND xact_start IS NOT NULL`,
  );
  return (rows[0]?.n ?? 0) > 0;
}

/** kill -9 of `count` running workers while they hold transactions, then as many new workers. */
export function killWorkers(system: ChildSystem, pool: pg.Pool, count: number): Fault {
  return {
    kind: count === 1 ? 'kill -9 of a worker' : `kill -9 of ${count} workers at once`,
    async inject() {
      const deadline = Date.now() + 5_000;
      while (Date.now() < deadline && !(await workerTransactionsOpen(pool).catch(() => false))) await pause(10);
      const victims = [...system.workers].sort(() => Math.random() - 0.5).slice(0, count);
      await Promise.all(victims.map((worker) => system.kill9Worker(worker)));
      await Promise.all(victims.map(() => system.startWorker()));
    },
  };
}

/** pg_terminate_backend of every connection to the database but the caller's. */
export function terminateBackends(pool: pg.Pool): Fault {
  return {
    kind: 'PostgreSQL backends terminated',
    async inject() {
      await pool.query(
        'SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()',
      );
    },
  };
}

export interface DuplicateDelivery {
  stop(): Promise<{ commands: number; events: number }>;
}

/**
 * At-least-once delivery, forced: every interval, jobs that were already delivered (or are
 * about to be) are added again under new job ids, for recent commands and events alike.
 */
export function startDuplicateDelivery(options: {
  pool: pg.Pool;
  factory: QueueFactory;
  intervalMs: number;
}): DuplicateDelivery {
  const counts = { commands: 0, events: 0 };
  let running = true;
  let n = 0;
  const loop = (async () => {
    while (running) {
      await pause(options.intervalMs);
      try {
        const commands = await options.pool.query<{ id: string; type: CommandType }>(
          'SELECT id, type FROM commands ORDER BY created_at DESC LIMIT 3',
        );
        const events = await options.pool.query<{ id: string; case_id: string; seq: number; type: string }>(
          'SELECT id, case_id, seq, type FROM events ORDER BY id DESC LIMIT 3',
        );
        for (const command of commands.rows) {
          await options.factory
            .queue(COMMANDS[command.type].queue)
            .add(command.type, { commandId: command.id }, { jobId: `dup-${command.id}-${++n}` });
          counts.commands += 1;
        }
        for (const event of events.rows) {
          const data = { eventId: String(event.id), caseId: event.case_id, seq: event.seq };
          await options.factory.queue('events').add(event.type, data, { jobId: `dup-evt-${event.id}-${++n}` });
          counts.events += 1;
        }
      } catch {
        // The database or the queue is down on purpose now and then: try again next round.
      }
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
      return counts;
    },
  };
}

export async function eventually(check: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check().catch(() => false))) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await pause(200);
  }
}

function pause(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
