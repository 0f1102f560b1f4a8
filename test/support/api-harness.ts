// An API on a test database, with a stand-in for the workers: tests apply pending
// commands themselves (applyCommand, as a stage worker would) when they choose to.
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { pino } from 'pino';
import { vi } from 'vitest';
import { applyCommand, type ApplyDeps } from '../../src/app/apply-command.ts';
import { createUser } from '../../src/app/users.ts';
import { buildServer, type ServerOptions } from '../../src/api/server.ts';
import type { Role } from '../../src/domain/index.ts';
import { openDatabase, type Database } from '../../src/infra/db/database.ts';
import { createCommandWaiter } from '../../src/infra/db/command-waiter.ts';
import type { FileSettings, HealthChecks } from '../../src/api/server.ts';
import type { AuditKeys } from '../../src/api/routes/audit.routes.ts';
import type { TestDatabase } from './databases.ts';

export type TestUser = {
  id: string;
  name: string;
  roles: Role[];
  token: string;
  tokenId: string;
  auth: { authorization: string };
};

export interface ApiHarness {
  app: FastifyInstance;
  database: Database;
  /** Every log line the server wrote, parsed. */
  logs: Record<string, unknown>[];
  user(roles: Role[], name?: string): Promise<TestUser>;
  /** Applies every pending command in the order accepted, as the stage workers would. */
  applyPending(): Promise<number>;
  /** Applies one command once it is stored (e.g. while a ?wait=true request waits). */
  applyWhenStored(commandId?: () => Promise<string | undefined>): Promise<void>;
  close(): Promise<void>;
}

const UNLIMITED = { max: 1_000_000, addressMax: 1_000_000, authFailures: 1_000_000, windowMs: 60_000 };

export const SLA = {
  received: 86_400_000,
  verified: 172_800_000,
  referred: 2_592_000_000,
  penalty_issued: 5_184_000_000,
};

export async function startApi(
  db: TestDatabase,
  options: {
    server?: Partial<ServerOptions>;
    health?: HealthChecks;
    audit?: AuditKeys;
    files?: FileSettings;
    /** Stage deadlines of the commands the harness applies (default SLA). */
    sla?: Partial<typeof SLA>;
  } = {},
): Promise<ApiHarness> {
  const logs: Record<string, unknown>[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString('utf8').split('\n'))
        if (line.trim() !== '') logs.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  const log = pino({ level: 'debug', redact: { paths: ['req.headers.authorization'], censor: '[redacted]' } }, sink);
  const database = openDatabase(db.url, { poolSize: 10, log });
  const commandWaiter = createCommandWaiter({ pool: database.pool, log, pollMs: 100 });
  await commandWaiter.start();
  const hmacKey = randomBytes(32);
  const app = await buildServer({
    log,
    pool: database.pool,
    prisma: database.prisma,
    health: options.health ?? { database: async () => true, queues: async () => true },
    commandWaiter,
    audit: options.audit ?? auditKeys(),
    secretsKey: randomBytes(32),
    hmacKey,
    // Tests send from one address, many of them without a valid token: limits only where a test sets them.
    options: { rateLimit: UNLIMITED, ...options.server },
    ...(options.files === undefined ? {} : { files: options.files }),
  });
  await app.ready();
  const applyDeps: ApplyDeps = {
    pool: database.pool,
    hmacKey,
    sla: { ...SLA, ...options.sla },
    claimLeaseMs: 1_800_000,
    log,
  };

  const pendingIds = async (): Promise<string[]> => {
    const { rows } = await database.pool.query<{ id: string }>(
      "SELECT id FROM commands WHERE status = 'pending' ORDER BY created_at, id",
    );
    return rows.map((r) => r.id);
  };

  return {
    app,
    database,
    logs,
    async user(roles, name) {
      const result = await createUser(database, {
        name: name ?? `${roles.join('-')}-${randomBytes(4).toString('hex')}`,
        roles,
      });
      if (!result.ok) throw new Error(result.detail);
      const { id, token, tokenId } = result.user;
      return { id, name: result.user.name, roles, token, tokenId, auth: { authorization: `Bearer ${token}` } };
    },
    async applyPending() {
      const ids = await pendingIds();
      for (const id of ids) await applyCommand(applyDeps, id);
      return ids.length;
    },
    async applyWhenStored(find) {
      const id = await vi.waitFor(
        async () => {
          const found = find === undefined ? (await pendingIds())[0] : await find();
          if (found === undefined) throw new Error('no pending command yet');
          return found;
        },
        { timeout: 5_000, interval: 20 },
      );
      await applyCommand(applyDeps, id);
    },
    async close() {
      await app.close();
      await database.close();
    },
  };
}

/** A fresh Ed25519 checkpoint key for a test server. */
export function auditKeys(): AuditKeys {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  return { signingKey: privateKey, publicKey };
}

export function json<T = Record<string, unknown>>(response: Pick<LightMyRequestResponse, 'body'>): T {
  return JSON.parse(response.body) as T;
}

export async function countRows(db: Database, table: 'commands' | 'outbox' | 'access_log' | 'cases'): Promise<number> {
  const { rows } = await db.pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table}`);
  return rows[0]?.n ?? 0;
}
