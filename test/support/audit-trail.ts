// A trail of real cases in a test database, applied through the use case as the stage
// workers would, sealed into checkpoints, and the tools to tamper with it behind the
// application's back (as a superuser who disables the append-only triggers).
import { generateKeyPairSync, randomUUID, type KeyObject } from 'node:crypto';
import pg from 'pg';
import { applyCommand, type ApplyDeps } from '../../src/app/apply-command.ts';
import { sealCheckpoints, type SealPolicy, type SealRound } from '../../src/app/seal-checkpoint.ts';
import { verifyTrail, type TrailReport, type VerifyTrailOptions } from '../../src/app/verify-trail.ts';
import { COMMANDS, type Actor, type CommandType } from '../../src/domain/index.ts';
import { insertCommand } from '../../src/infra/db/command.repository.ts';
import { createLogger } from '../../src/infra/logger.ts';
import type { TestDatabase } from './databases.ts';
import { BODIES, CLERK, SUPERVISOR, SUPERVISOR_2, VERIFIER, penaltyBody, submitBody, verifyBody } from './fixtures.ts';

const HOUR = 3_600_000;

/** The audit tables whose triggers refuse changes. */
const APPEND_ONLY = [
  'events',
  'checkpoints',
  'log_entries',
  'log_nodes',
  'tree_heads',
  'signing_keys',
  'tree_head_anchors',
];

export const SEAL_NOW: SealPolicy = { maxEvents: 4, maxAgeMs: 0, barrierTimeoutMs: 5_000 };

export interface Trail {
  keys: { signingKey: KeyObject; publicKey: KeyObject };
  send(type: CommandType, caseId: string, actor: Actor, body: unknown): Promise<void>;
  /** A new case, submitted and applied; returns its id. */
  submit(n?: number): Promise<string>;
  /** submit → claim → verify → refer → penalty → close: six events. */
  enforcedPenalty(): Promise<string>;
  /** submit → verify(accurate): three events, closed dismissed. */
  dismissed(): Promise<string>;
  /** Seals what is due under the policy; with force (the default), everything committed. */
  seal(policy?: SealPolicy, force?: boolean): Promise<SealRound>;
  verify(options?: VerifyTrailOptions): Promise<TrailReport>;
  /** Runs SQL as a superuser with the audit tables' append-only triggers disabled. */
  tamper(sql: string, params?: unknown[]): Promise<void>;
}

export function createTrail(db: TestDatabase, keys = generateKeys()): Trail {
  const log = createLogger({ level: 'silent' });
  const deps: ApplyDeps = {
    pool: db.pool,
    hmacKey: Buffer.from('audit-test-hmac-key-0123456789abcdef'),
    sla: { received: 24 * HOUR, verified: 48 * HOUR, referred: 720 * HOUR, penalty_issued: 1440 * HOUR },
    claimLeaseMs: HOUR / 2,
    log,
  };
  let serial = 0;

  const send: Trail['send'] = async (type, caseId, actor, body) => {
    const { id: commandId } = await insertCommand(
      db.pool,
      { type, caseId, actor, payload: COMMANDS[type].payload.parse(body) },
      COMMANDS[type].queue,
    );
    const outcome = await applyCommand(deps, commandId);
    if (outcome.status !== 'applied') throw new Error(`${type} was not applied: ${JSON.stringify(outcome)}`);
  };
  const submit: Trail['submit'] = async (n) => {
    serial += 1;
    const caseId = randomUUID();
    const tag = n ?? `${serial}-${randomUUID()}`;
    await send(
      'submit',
      caseId,
      CLERK,
      submitBody({ url: `https://example.vn/posts/${tag}`, content: `Nội dung số ${tag}` }),
    );
    return caseId;
  };

  return {
    keys,
    send,
    submit,
    async enforcedPenalty() {
      const caseId = await submit();
      await send('claim', caseId, VERIFIER, BODIES.claim);
      await send('verify', caseId, VERIFIER, verifyBody());
      await send('refer', caseId, SUPERVISOR, BODIES.refer);
      await send('record-penalty', caseId, SUPERVISOR_2, penaltyBody({ decisionNo: `QD-${randomUUID()}` }));
      await send('close', caseId, SUPERVISOR, BODIES.close);
      return caseId;
    },
    async dismissed() {
      const caseId = await submit();
      await send('claim', caseId, VERIFIER, BODIES.claim);
      await send('verify', caseId, VERIFIER, verifyBody('accurate', []));
      return caseId;
    },
    seal: (policy = SEAL_NOW, force = true) => sealCheckpoints({ pool: db.pool, log, ...keys }, policy, { force }),
    verify: (options = {}) => verifyTrail({ pool: db.pool, publicKey: keys.publicKey }, options),
    async tamper(sql, params = []) {
      const client = new pg.Client({ connectionString: db.url });
      await client.connect();
      try {
        await client.query('BEGIN');
        for (const table of APPEND_ONLY) await client.query(`ALTER TABLE ${table} DISABLE TRIGGER USER`);
        await client.query(sql, params);
        for (const [table, trigger] of APPEND_ONLY.flatMap((t) => [
          [t, `${t}_append_only`],
          [t, `${t}_no_truncate`],
        ])) {
          await client.query(`ALTER TABLE ${table} ENABLE ALWAYS TRIGGER ${trigger}`);
        }
        await client.query('COMMIT');
      } finally {
        await client.end();
      }
    },
  };
}

export function generateKeys(): { signingKey: KeyObject; publicKey: KeyObject } {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  return { signingKey: privateKey, publicKey };
}
