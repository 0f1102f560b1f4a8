import { generateKeyPairSync, randomBytes, randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { buildServer } from '../api/server.ts';
import { applyCommand, type ApplyDeps } from '../app/apply-command.ts';
import { sealCheckpoints } from '../app/seal-checkpoint.ts';
import { createUser } from '../app/users.ts';
import { createCommandWaiter } from '../infra/db/command-waiter.ts';
import { openDatabase, type Database } from '../infra/db/database.ts';
import { openLocalStore } from '../infra/files/local-store.ts';
import type { Logger } from '../infra/logger.ts';
import { PIPELINE_STEPS, submitRequest } from './bench-bodies.ts';
import { createBenchDatabase, percentile, round } from './bench-services.ts';
import { writeHistory } from './reads-history.ts';

export type ReadsBenchOptions = {
  adminUrl: string;
  /** History sizes, each measured on a database of its own. */
  sizes: number[];
  /** Requests of each read (reports: a tenth, at least 3). */
  samples: number;
  /** Submissions per second applied beside the reads. */
  writesPerSecond: number;
  /** Keep each history database (its URL is logged), to EXPLAIN the reads on it afterwards. */
  keepDatabase?: boolean;
  log: Logger;
};

/** SPEC §8 targets: p99 in milliseconds (reports: every run). */
const TARGETS: Record<string, number> = {
  worklist: 50,
  list: 50,
  listFiltered: 50,
  listClerk: 50,
  casePage: 50,
  search: 300,
  searchClerk: 300,
  reportMonth: 1_000,
  reportYear: 5_000,
};

type Figures = { p50: number; p99: number; samples: number; targetP99?: number; met?: boolean };
export type ReadsRun = {
  cases: number;
  events: number;
  loadSeconds: number;
  writes: number;
  reads: Record<string, Figures>;
};
export type ReadsBenchResult = { scenario: 'reads'; runs: ReadsRun[] };

const SLA = { received: 86_400_000, verified: 172_800_000, referred: 2_592_000_000, penalty_issued: 5_184_000_000 };

/**
 * Reads at scale (SPEC §8): a history of `size` cases written in SQL, then each read a user
 * makes, sampled in turn (p50, p99 of the whole request through the API, in process), while
 * submissions are applied beside them at a steady rate.
 */
export async function runReadsBench(options: ReadsBenchOptions): Promise<ReadsBenchResult> {
  const runs: ReadsRun[] = [];
  for (const size of options.sizes) runs.push(await runOne(options, size));
  return { scenario: 'reads', runs };
}

async function runOne(options: ReadsBenchOptions, size: number): Promise<ReadsRun> {
  const db = await createBenchDatabase(options.adminUrl);
  const dir = await mkdtemp(join(tmpdir(), 'casetrail-bench-reads-'));
  const database = openDatabase(db.url, { poolSize: 10, log: options.log });
  const waiter = createCommandWaiter({ pool: database.pool, log: options.log });
  let app: FastifyInstance | undefined;
  try {
    const { privateKey, publicKey } = generateKeyPairSync('ed25519');
    app = await buildServer({
      log: options.log,
      pool: database.pool,
      prisma: database.prisma,
      health: { database: async () => true, queues: async () => true },
      commandWaiter: waiter,
      secretsKey: randomBytes(32),
      audit: { signingKey: privateKey, publicKey },
      files: { store: await openLocalStore(join(dir, 'store')), maxBytes: 1024 * 1024 },
      options: { rateLimit: { max: 1e9, addressMax: 1e9, authFailures: 1e9, windowMs: 60_000 } },
    });
    const apply: ApplyDeps = {
      pool: database.pool,
      hmacKey: randomBytes(32),
      sla: SLA,
      claimLeaseMs: 1_800_000,
      log: options.log,
    };
    const people = await usersFor(database);
    const templates = await templateCases(app, apply, people);
    const started = performance.now();
    const client = await database.pool.connect();
    let events = 0;
    try {
      const clerks = await extraUsers(client, 'clerk', 50, people.clerk.id);
      const verifiers = await extraUsers(client, 'verifier', 20, people.verifier.id);
      await client.query('BEGIN');
      ({ events } = await writeHistory(client, {
        templates,
        cases: size,
        clerks,
        verifiers,
        supervisor: people.supervisor.id,
      }));
      await client.query('COMMIT');
      // What autovacuum would have done by then: statistics, and a visibility map for index-only scans.
      await client.query('VACUUM ANALYZE');
    } finally {
      client.release();
    }
    // A running system's sealer keeps up with its trail: the history is sealed before any read,
    // else the first export would seal it all.
    const seal = { pool: database.pool, signingKey: privateKey, publicKey, log: options.log };
    const policy = { maxEvents: 1_000, maxAgeMs: 0, barrierTimeoutMs: 60_000 };
    while ((await sealCheckpoints(seal, policy, { force: true })).status === 'sealed');
    // And its checkpointer has long since written the pages the load dirtied: measured reads
    // must not wait behind the flush of a million freshly written rows.
    await database.pool.query('CHECKPOINT').catch((error: Error) => {
      options.log.warn({ err: { message: error.message } }, 'no checkpoint before the reads (needs pg_checkpoint)');
    });
    const loadSeconds = round((performance.now() - started) / 1000, 1);
    const writer = startWrites(app, apply, people.clerk.auth, options.writesPerSecond);
    try {
      const reads = await measure(app, database, people, options.samples);
      return { cases: size, events, loadSeconds, writes: writer.count(), reads };
    } finally {
      await writer.stop();
    }
  } finally {
    await app?.close();
    await waiter.close();
    await database.close();
    if (options.keepDatabase === true) {
      options.log.warn({ url: await db.keep(`casetrail_reads_${size}`), cases: size }, 'history database kept');
    } else await db.drop();
    await rm(dir, { recursive: true, force: true });
  }
}

type Person = { id: string; auth: { authorization: string } };
type People = Record<'clerk' | 'verifier' | 'supervisor', Person>;

async function usersFor(database: Database): Promise<People> {
  const make = async (role: 'clerk' | 'verifier' | 'supervisor'): Promise<Person> => {
    const created = await createUser(database, { name: `bench-${role}-${randomUUID()}`, roles: [role] });
    if (!created.ok) throw new Error(created.detail);
    return { id: created.user.id, auth: { authorization: `Bearer ${created.user.token}` } };
  };
  return { clerk: await make('clerk'), verifier: await make('verifier'), supervisor: await make('supervisor') };
}

/** Users the history spreads its cases over (no tokens: they never sign in). */
async function extraUsers(
  client: { query: Database['pool']['query'] },
  role: string,
  n: number,
  first: string,
): Promise<string[]> {
  const { rows } = await client.query<{ id: string }>(
    `INSERT INTO users (id, name, roles) SELECT gen_random_uuid(), 'bench-${role}-' || g || '-' || md5(random()::text), ARRAY[$1]
       FROM generate_series(2, $2::int) g RETURNING id`,
    [role, n],
  );
  return [first, ...rows.map((r) => r.id)];
}

async function post(app: FastifyInstance, url: string, auth: Person['auth'], payload: unknown): Promise<string> {
  const response = await app.inject({ method: 'POST', url, headers: auth, payload: payload as object });
  if (response.statusCode !== 202) throw new Error(`${url}: ${response.statusCode} ${response.body}`);
  return String((JSON.parse(response.body) as { commandId: string }).commandId);
}

const PATHS: Record<string, string> = {
  claim: 'claim',
  verify: 'verify',
  refer: 'refer',
  'record-penalty': 'penalty',
  close: 'close',
};

/** One case stopped after each step of the pipeline (received ... closed), made through the API. */
async function templateCases(app: FastifyInstance, apply: ApplyDeps, people: People): Promise<string[]> {
  const ids: string[] = [];
  for (let stop = 1; stop <= PIPELINE_STEPS.length; stop++) {
    const commandId = await post(app, '/v1/cases', people.clerk.auth, submitRequest(stop));
    await applyCommand(apply, commandId);
    const { rows } = await apply.pool.query<{ case_id: string }>('SELECT case_id FROM commands WHERE id = $1', [
      commandId,
    ]);
    const caseId = rows[0]?.case_id ?? '';
    for (const step of PIPELINE_STEPS.slice(1, stop)) {
      const who = step.actor.roles[0] as keyof People;
      await applyCommand(
        apply,
        await post(app, `/v1/cases/${caseId}/${PATHS[step.type]}`, people[who].auth, step.body(stop)),
      );
    }
    ids.push(caseId);
  }
  return ids;
}

/** Submissions applied at a steady rate until stopped. */
function startWrites(app: FastifyInstance, apply: ApplyDeps, auth: Person['auth'], perSecond: number) {
  let written = 0;
  let running = true;
  const loop = (async () => {
    const start = performance.now();
    while (running) {
      await applyCommand(apply, await post(app, '/v1/cases', auth, submitRequest(1_000_000 + written)));
      written += 1;
      const due = start + (written * 1000) / perSecond - performance.now();
      if (due > 0) await new Promise((resolve) => setTimeout(resolve, due));
    }
  })();
  return {
    count: () => written,
    stop: async () => {
      running = false;
      await loop;
    },
  };
}

const SEARCHES = ['tich tru', 'tk.4242', 'vac xin vo sinh', 'CT-H-00000777', 'gia xang', 'nguyen van an'];

async function measure(
  app: FastifyInstance,
  database: Database,
  people: People,
  samples: number,
): Promise<Record<string, Figures>> {
  const { rows } = await database.pool.query<{ id: string }>('SELECT id FROM cases ORDER BY random() LIMIT 200');
  const caseIds = rows.map((r) => r.id);
  const get = async (url: string, who: Person) => {
    const response = await app.inject({ method: 'GET', url, headers: who.auth });
    if (response.statusCode !== 200) throw new Error(`${url}: ${response.statusCode} ${response.body.slice(0, 300)}`);
  };
  const month = lastFullMonth();
  const reads: Record<string, { every: number; run: (i: number) => Promise<void> }> = {
    worklist: { every: 1, run: () => get('/v1/worklists/verification?limit=50', people.verifier) },
    list: { every: 1, run: () => get('/v1/cases?limit=50', people.supervisor) },
    listFiltered: {
      every: 1,
      run: () => get('/v1/cases?limit=50&platform=tiktok&stage=closed&topic=T3', people.supervisor),
    },
    listClerk: { every: 1, run: () => get('/v1/cases?limit=50', people.clerk) },
    search: {
      every: 1,
      run: (i) =>
        get(`/v1/cases?limit=50&q=${encodeURIComponent(SEARCHES[i % SEARCHES.length] ?? '')}`, people.supervisor),
    },
    searchClerk: {
      every: 1,
      run: (i) => get(`/v1/cases?limit=50&q=${encodeURIComponent(SEARCHES[i % SEARCHES.length] ?? '')}`, people.clerk),
    },
    casePage: {
      every: 1,
      run: async (i) => {
        const id = caseIds[i % caseIds.length] ?? '';
        await get(`/v1/cases/${id}`, people.supervisor);
        await get(`/v1/cases/${id}/events`, people.supervisor);
        await get(`/v1/cases/${id}/files`, people.supervisor);
      },
    },
    accessLog: { every: 1, run: () => get('/v1/audit/access-log?limit=50', people.supervisor) },
    export: { every: 1, run: (i) => get(`/v1/cases/${caseIds[i % caseIds.length]}/export`, people.supervisor) },
    reportMonth: {
      every: 10,
      run: () => get(`/v1/reports/summary?from=${month.from}&to=${month.to}`, people.supervisor),
    },
    reportYear: {
      every: 10,
      run: () => get(`/v1/reports/summary?from=${month.yearFrom}&to=${month.to}`, people.supervisor),
    },
  };
  // One round first, not counted: a running system's caches hold its indexes, while a
  // history just loaded has each read's first pages still on disk (the first search of a
  // kept million-case history took 1.4 s, the next ones 25 ms).
  for (const read of Object.values(reads)) {
    // Every search word once; a report once (reports are sampled a tenth as often).
    for (let i = 0; i < (read.every === 1 ? SEARCHES.length : 1); i++) await read.run(i);
  }
  const times: Record<string, number[]> = Object.fromEntries(Object.keys(reads).map((k) => [k, []]));
  for (let i = 0; i < samples; i++) {
    // In turn, so that each read meets the same writes and the same caches.
    for (const [name, read] of Object.entries(reads)) {
      if (i % read.every !== 0 && !(i === samples - 1 && (times[name]?.length ?? 0) < 3)) continue;
      const started = performance.now();
      await read.run(i);
      times[name]?.push(performance.now() - started);
    }
  }
  return Object.fromEntries(
    Object.entries(times).map(([name, values]) => {
      const sorted = values.toSorted((a, b) => a - b);
      const p99 = round(percentile(sorted, 99), 1);
      const target = TARGETS[name];
      const figures: Figures = { p50: round(percentile(sorted, 50), 1), p99, samples: values.length };
      return [name, target === undefined ? figures : { ...figures, targetP99: target, met: p99 <= target }];
    }),
  );
}

/** The last whole calendar month, and the day a year before its end (the history spans a year). */
function lastFullMonth(): { from: string; to: string; yearFrom: string } {
  const now = new Date();
  const end = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 0));
  const from = new Date(Date.UTC(end.getUTCFullYear(), end.getUTCMonth(), 1));
  const yearFrom = new Date(Date.UTC(end.getUTCFullYear() - 1, end.getUTCMonth(), end.getUTCDate() + 1));
  const day = (d: Date) => d.toISOString().slice(0, 10);
  return { from: day(from), to: day(end), yearFrom: day(yearFrom) };
}
