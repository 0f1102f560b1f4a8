import { fork } from 'node:child_process';
import { createHash, createPublicKey, generateKeyPairSync, randomBytes, randomUUID, type KeyObject } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import type pg from 'pg';
import { sealCheckpoints } from '../app/seal-checkpoint.ts';
import { verifyLogSince, type VerifiedState } from '../app/verify-log.ts';
import {
  COMMANDS,
  canonicalJson,
  chainEvents,
  decide,
  eventEnvelope,
  evolve,
  headOf,
  itemPersonalData,
  personalDigest,
  type CaseState,
  type Command,
  type StoredEvent,
} from '../domain/index.ts';
import { CASE_COLUMNS, caseToRecord } from '../infra/db/case.repository.ts';
import { openDatabase } from '../infra/db/database.ts';
import type { Logger } from '../infra/logger.ts';
import type { VerifyRequest, VerifyResult } from './audit-verify.child.ts';
import { BENCH_ACTORS, submitRequest } from './bench-bodies.ts';
import { createBenchDatabase, percentile, progress, round } from './bench-services.ts';

export type AuditBenchOptions = { adminUrl: string; events: number; log: Logger; tty: boolean };

export type AuditBenchResult = {
  scenario: 'audit-verify';
  events: number;
  checkpoints: number;
  eventsPerSec: number;
  baselineEventsPerSec: number;
  ratio: number;
  seconds: number;
  /** Latency of one page of events (500) read from the database and checked: p50 and p99, over the pages of the run. */
  p50Ms: number;
  p99Ms: number;
  /**
   * Peak RSS of a process that only verifies the whole trail (verifyInChild): not this one,
   * which built the trail and still holds what that took.
   */
  peakRssMb: number;
  /** The same, verifying the trail when it held a quarter of its events: flat memory means about the same figure. */
  quarterTrailPeakRssMb: number;
  ok: boolean;
  target: { ratio: number; incrementalRatio: number };
  /**
   * `audit verify --since`: the whole Merkle log checked from nothing, then `newEvents` new
   * events checked from a kept head on a trail of `smallHistory` events and on one of
   * `largeHistory` (this trail). Its cost follows the new events: `incrementalRatio`
   * (large / small seconds) near 1 (SPEC §8: ≤ 1.3 for 10 000 new events on 100 000 and 1 000 000).
   */
  incremental: {
    logFullSeconds: number;
    newEvents: number;
    smallHistory: number;
    smallSeconds: number;
    largeHistory: number;
    largeSeconds: number;
    incrementalRatio: number;
    ok: boolean;
  };
};

const EVENTS_PER_CASE = 10;
const SLA = { received: 86_400_000, verified: 172_800_000, referred: 2_592_000_000, penalty_issued: 5_184_000_000 };

/**
 * `audit verify` over a trail of N events read from the database, against hashing the same
 * canonical bytes in memory. The trail is written straight through the domain (submit plus
 * notes per case) so that building 200 000 events takes seconds, not a pipeline run.
 */
export async function runAuditBench(input: AuditBenchOptions): Promise<AuditBenchResult> {
  // Whole cases only: the trail is written in cases of EVENTS_PER_CASE events.
  const options = {
    ...input,
    events: Math.max(EVENTS_PER_CASE, Math.ceil(input.events / EVENTS_PER_CASE) * EVENTS_PER_CASE),
  };
  const db = await createBenchDatabase(options.adminUrl);
  const database = openDatabase(db.url, { poolSize: 4, log: options.log });
  const signingKey = generateKeyPairSync('ed25519').privateKey;
  const publicKey = createPublicKey(signingKey);
  try {
    const bar = progress('writing the trail', options.events, options.tty);
    const canonical: Buffer[] = [];
    const quarter = Math.floor(options.events / 4);
    let quarterRss = 0;
    let checkpoints = 0;
    const seal = async () => {
      checkpoints += await sealAll(database.pool, { signingKey, publicKey }, options.log);
    };
    for (let written = 0; written < options.events; ) {
      const batch = Math.min(10_000, options.events - written);
      const { events, cases } = synthesize(batch / EVENTS_PER_CASE, written / EVENTS_PER_CASE);
      await insertTrail(database.pool, cases, events);
      for (const e of events) canonical.push(Buffer.from(canonicalJson(eventEnvelope(e)), 'utf8'));
      written += batch;
      bar.tick(batch);
      if (written === quarter || (written > quarter && written - batch < quarter)) {
        await seal();
        quarterRss = (await verifyInChild(db.url, publicKey)).peakRssMb;
      }
    }
    bar.done();
    await seal();

    const baselineStart = performance.now();
    for (const bytes of canonical) createHash('sha256').update(bytes).digest('hex');
    const baselineSeconds = (performance.now() - baselineStart) / 1000;
    canonical.length = 0;

    const { events, ok, seconds, peakRssMb, pageMs } = await verifyInChild(db.url, publicKey);
    const pages = pageMs.toSorted((a, b) => a - b);
    const incremental = await benchIncremental(options, database.pool, { signingKey, publicKey });
    return {
      scenario: 'audit-verify',
      events,
      checkpoints,
      eventsPerSec: round(events / seconds, 0),
      baselineEventsPerSec: round(options.events / baselineSeconds, 0),
      ratio: round(events / seconds / (options.events / baselineSeconds), 3),
      seconds: round(seconds),
      p50Ms: round(percentile(pages, 50), 1),
      p99Ms: round(percentile(pages, 99), 1),
      peakRssMb,
      quarterTrailPeakRssMb: quarterRss,
      ok: ok && incremental.ok,
      target: { ratio: 0.25, incrementalRatio: 1.3 },
      incremental,
    };
  } finally {
    await database.close();
    await db.drop();
  }
}

type Keys = { signingKey: KeyObject; publicKey: KeyObject };

/** Seals everything committed (checkpoints and the log); the number of checkpoints written. */
async function sealAll(pool: pg.Pool, keys: Keys, log: Logger): Promise<number> {
  let checkpoints = 0;
  for (;;) {
    const round = await sealCheckpoints(
      { pool, ...keys, log },
      { maxEvents: 10_000, maxAgeMs: 0, barrierTimeoutMs: 10_000 },
      { force: true },
    );
    checkpoints += round.checkpoints.length;
    if (round.checkpoints.length === 0 && round.treeHeads.length === 0) return checkpoints;
  }
}

/**
 * The log verified from nothing on the trail just built (its large history), then the same
 * number of new events verified from the kept head there and on a trail a tenth as long.
 */
async function benchIncremental(
  options: AuditBenchOptions,
  pool: pg.Pool,
  keys: Keys,
): Promise<AuditBenchResult['incremental']> {
  const newEvents = Math.max(EVENTS_PER_CASE * 10, Math.round(options.events / 20 / EVENTS_PER_CASE) * EVENTS_PER_CASE);
  const fullStart = performance.now();
  const full = await verifyLogSince({ pool, publicKey: keys.publicKey }, null);
  const logFullSeconds = (performance.now() - fullStart) / 1000;
  const large = await timeNewEvents(pool, keys, options.log, full.state, newEvents, options.events);

  const smallHistory = Math.max(EVENTS_PER_CASE, Math.round(options.events / 10 / EVENTS_PER_CASE) * EVENTS_PER_CASE);
  const db = await createBenchDatabase(options.adminUrl);
  const database = openDatabase(db.url, { poolSize: 4, log: options.log });
  try {
    for (let written = 0; written < smallHistory; ) {
      const batch = Math.min(10_000, smallHistory - written);
      const { events, cases } = synthesize(batch / EVENTS_PER_CASE, written / EVENTS_PER_CASE);
      await insertTrail(database.pool, cases, events);
      written += batch;
    }
    await sealAll(database.pool, keys, options.log);
    const kept = await verifyLogSince({ pool: database.pool, publicKey: keys.publicKey }, null);
    const small = await timeNewEvents(database.pool, keys, options.log, kept.state, newEvents, smallHistory);
    return {
      logFullSeconds: round(logFullSeconds),
      newEvents,
      smallHistory,
      smallSeconds: round(small.seconds, 3),
      largeHistory: options.events,
      largeSeconds: round(large.seconds, 3),
      incrementalRatio: round(large.seconds / small.seconds, 2),
      ok: full.report.ok && small.ok && large.ok,
    };
  } finally {
    await database.close();
    await db.drop();
  }
}

/** Writes and seals `count` new events after `history`, then times their verification from the kept state. */
async function timeNewEvents(
  pool: pg.Pool,
  keys: Keys,
  log: Logger,
  state: VerifiedState | null,
  count: number,
  history: number,
): Promise<{ seconds: number; ok: boolean }> {
  const { events, cases } = synthesize(count / EVENTS_PER_CASE, history / EVENTS_PER_CASE);
  await insertTrail(pool, cases, events);
  await sealAll(pool, keys, log);
  const start = performance.now();
  const { report } = await verifyLogSince({ pool, publicKey: keys.publicKey }, state);
  return { seconds: (performance.now() - start) / 1000, ok: report.ok && report.events === count };
}

const CHILD = fileURLToPath(new URL('./audit-verify.child.ts', import.meta.url));

/**
 * `audit verify` over the trail in a fresh process (audit-verify.child.ts): its time and its
 * peak RSS are the verification's own, whatever this process holds.
 */
async function verifyInChild(url: string, publicKey: KeyObject): Promise<VerifyResult> {
  const child = fork(CHILD, [], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
  const request: VerifyRequest = {
    url,
    publicKeyPem: publicKey.export({ format: 'pem', type: 'spki' }).toString(),
    poolSize: 4,
  };
  return new Promise((resolve, reject) => {
    let result: VerifyResult | null = null;
    child.once('message', (message) => {
      result = message as VerifyResult;
    });
    child.once('error', reject);
    child.once('exit', (code) =>
      result === null ? reject(new Error(`the verifying process exited with code ${code}`)) : resolve(result),
    );
    child.send(request);
  });
}

/** Cases of EVENTS_PER_CASE events each (a submit, then notes), chained and folded by the domain. */
export function synthesize(count: number, first: number): { events: StoredEvent[]; cases: CaseState[] } {
  const events: StoredEvent[] = [];
  const cases: CaseState[] = [];
  const hmacKey = randomBytes(32);
  let at = Date.parse('2026-11-01T00:00:00Z') + first * EVENTS_PER_CASE * 7;
  for (let i = first; i < first + count; i++) {
    const caseId = randomUUID();
    const body = COMMANDS.submit.payload.parse(submitRequest(i));
    let state: CaseState | null = null;
    for (let k = 0; k < EVENTS_PER_CASE; k++) {
      at += 7;
      const now = new Date(at);
      const command = (
        k === 0
          ? { id: randomUUID(), type: 'submit', caseId, payload: body }
          : { id: randomUUID(), type: 'add-note', caseId, payload: { text: `note ${k}` } }
      ) as Command;
      const actor = k === 0 ? BENCH_ACTORS.clerk : BENCH_ACTORS.supervisor;
      const decision = decide(state, command, {
        actor,
        now,
        sla: SLA,
        claimLeaseMs: 1_800_000,
        intake: {
          reference: `CT-2026-${String(i).padStart(6, '0')}`,
          personalDigest: personalDigest(hmacKey, itemPersonalData(body.item)),
          duplicateOf: null,
          related: [],
          earlier: [],
        },
      });
      if (!decision.ok) throw new Error(`bench trail: ${decision.rejection.detail}`);
      const chained = chainEvents(decision.events, {
        heads: { [caseId]: headOf(state) },
        actor,
        commandId: command.id,
        occurredAt: now,
      });
      for (const e of chained) state = evolve(state, e);
      events.push(...chained);
    }
    if (state !== null) cases.push(state);
  }
  return { events, cases };
}

export async function insertTrail(
  pool: pg.Pool,
  cases: readonly CaseState[],
  events: readonly StoredEvent[],
): Promise<void> {
  await pool.query(
    `INSERT INTO cases (${CASE_COLUMNS.join(', ')}) SELECT ${CASE_COLUMNS.join(', ')} FROM jsonb_populate_recordset(NULL::cases, $1::jsonb)`,
    [JSON.stringify(cases.map(caseToRecord))],
  );
  await pool.query(
    `INSERT INTO events (case_id, seq, type, payload, actor_id, actor_roles, command_id, occurred_at, prev_hash, hash)
     SELECT case_id, seq, type, payload, actor_id, actor_roles, command_id, occurred_at, prev_hash, hash
     FROM jsonb_to_recordset($1::jsonb) AS e(case_id uuid, seq int, type text, payload jsonb, actor_id text, actor_roles text[],
                                             command_id uuid, occurred_at text, prev_hash text, hash text)`,
    [
      JSON.stringify(
        events.map((e) => ({
          case_id: e.caseId,
          seq: e.seq,
          type: e.type,
          payload: e.payload,
          actor_id: e.actor.id,
          actor_roles: e.actor.roles,
          command_id: e.commandId,
          occurred_at: e.occurredAt,
          prev_hash: e.prevHash,
          hash: e.hash,
        })),
      ),
    ],
  );
}
