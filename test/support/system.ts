// The whole system in this process, as `casetrail start` runs it: the API listening on a
// loopback port, the relay, the reconciler and every worker, on one queue backend, against
// the test file's own database (and its own BullMQ prefix on Redis).
import type { FastifyInstance } from 'fastify';
import { createApi, type FileSettings } from '../../src/api/server.ts';
import { createUser } from '../../src/app/users.ts';
import type { Role } from '../../src/domain/index.ts';
import { openDatabase, type Database } from '../../src/infra/db/database.ts';
import type { QueueBackendKind } from '../../src/infra/queue/queue-factory.ts';
import { parseConfig } from '../../src/infra/config/config.ts';
import type { Pipeline, PipelineSettings } from '../../workers/index.ts';
import { createQueueHarness, eventually, LOOPBACK_RECEIVERS, type QueueHarness } from './queue-harness.ts';

export interface System {
  baseUrl: string;
  harness: QueueHarness;
  /** The workers, relay and reconciler serving the API. */
  pipeline: Pipeline;
  createUser(name: string, roles: string[]): Promise<{ id: string; token: string }>;
  waitFor(check: () => Promise<boolean>, timeoutMs?: number): Promise<void>;
  pendingCommands(): Promise<number>;
  countCommands(ids: readonly string[]): Promise<{ applied: number; rejected: number; pending: number }>;
  /** Events of the cases, and how many (caseId, type) pairs appear more than once. */
  countEvents(caseIds: readonly string[]): Promise<{ events: number; duplicates: number }>;
  close(): Promise<void>;
}

export async function startSystem(options: {
  backend: QueueBackendKind;
  harness?: Parameters<typeof createQueueHarness>[1];
  /** Runs the audit sealer with these settings (e.g. checkpointEvents, checkpointIntervalMs). */
  sealer?: Partial<PipelineSettings>;
  /** The evidence file store of the API and the workers (no file routes without it). */
  files?: FileSettings;
}): Promise<System> {
  const harness = await createQueueHarness(options.backend, options.harness);
  if (options.files !== undefined) harness.deps.store = options.files.store;
  let database: Database | undefined;
  let app: FastifyInstance | undefined;
  let pipeline: Pipeline | undefined;
  try {
    pipeline = await harness.start(options.sealer === undefined ? {} : { signing: true, settings: options.sealer });
    database = openDatabase(harness.db.url, { poolSize: 10, log: harness.log });
    const api = await createApi({
      db: database,
      log: harness.log,
      // Webhook receivers of these tests listen on loopback: allowed explicitly, as in-house receivers are.
      config: parseConfig({
        CASETRAIL_RATE_LIMIT_MAX: '100000',
        CASETRAIL_RATE_LIMIT_ADDRESS_MAX: '1000000',
        CASETRAIL_RATE_LIMIT_AUTH_FAILURES: '100000',
        CASETRAIL_WEBHOOK_ALLOW_CIDRS: LOOPBACK_RECEIVERS,
      }),
      health: { database: async () => true, queues: () => harness.factory.ping() },
      audit: harness.signing,
      // The workers open what the API seals: one key, as every process of a deployment shares it.
      secretsKey: harness.deps.webhooks?.secretsKey ?? Buffer.alloc(32),
      hmacKey: Buffer.from(harness.deps.hmacKey),
      queues: harness.factory,
      ...(options.files === undefined ? {} : { files: options.files }),
    });
    app = api;
    await api.listen({ host: '127.0.0.1', port: 0 });
  } catch (error) {
    await app?.close();
    await database?.close();
    await harness.close();
    throw error;
  }
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  const pool = harness.pool;
  const db = database;
  const server = app;
  const running = pipeline;

  return {
    baseUrl: `http://127.0.0.1:${port}`,
    harness,
    pipeline: running,
    async createUser(name, roles) {
      const created = await createUser({ pool: db.pool, prisma: db.prisma }, { name, roles: roles as Role[] });
      if (!created.ok) throw new Error(created.detail);
      return { id: created.user.id, token: created.user.token };
    },
    async waitFor(check, timeoutMs = 20_000) {
      await eventually(async () => (await check()) || undefined, { timeoutMs });
    },
    async pendingCommands() {
      const { rows } = await pool.query<{ n: number }>(
        "SELECT count(*)::int AS n FROM commands WHERE status = 'pending'",
      );
      return rows[0]?.n ?? 0;
    },
    async countCommands(ids) {
      const { rows } = await pool.query<{ status: 'applied' | 'rejected' | 'pending'; n: number }>(
        'SELECT status, count(*)::int AS n FROM commands WHERE id = ANY($1::uuid[]) GROUP BY status',
        [ids],
      );
      const counts = { applied: 0, rejected: 0, pending: 0 };
      for (const row of rows) counts[row.status] = row.n;
      return counts;
    },
    async countEvents(caseIds) {
      const { rows } = await pool.query<{ events: number; duplicates: number }>(
        `SELECT count(*)::int AS events,
                (SELECT count(*)::int FROM (SELECT 1 FROM events WHERE case_id = ANY($1::uuid[]) GROUP BY case_id, type HAVING count(*) > 1) d) AS duplicates
         FROM events WHERE case_id = ANY($1::uuid[])`,
        [caseIds],
      );
      return rows[0] ?? { events: 0, duplicates: 0 };
    },
    async close() {
      await server.close();
      await db.close();
      await harness.close();
    },
  };
}
