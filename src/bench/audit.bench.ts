import { fork } from 'node:child_process';
import { createHash, createPublicKey, generateKeyPairSync, randomBytes, randomUUID, type KeyObject } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import type pg from 'pg';
import { sealCheckpoints } from '../app/seal-checkpoint.ts';
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
  target: { ratio: number };
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
      for (;;) {
        const round = await sealCheckpoints(
          { pool: database.pool, signingKey, publicKey, log: options.log },
          { maxEvents: 10_000, maxAgeMs: 0, barrierTimeoutMs: 10_000 },
          { force: true },
        );
        checkpoints += round.checkpoints.length;
        if (round.checkpoints.length === 0) return;
      }
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
      ok,
      target: { ratio: 0.25 },
    };
  } finally {
    await database.close();
    await db.drop();
  }
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
