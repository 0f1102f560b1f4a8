import { randomUUID } from 'node:crypto';
import { constants as zlibConstants } from 'node:zlib';
import compress from '@fastify/compress';
import rateLimit from '@fastify/rate-limit';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import { serializerCompiler, validatorCompiler } from 'fastify-type-provider-zod';
import {
  createCaseFeed,
  createCommandInbox,
  createCommandWaiter,
  type CommandWaiter,
  type DatabasePool,
  type PrismaClient,
} from '../app/database.ts';
import { DEFAULT_CLOCK_SKEW_MS, DEFAULT_TIME_ZONE } from '../domain/index.ts';
import type { Config } from '../infra/config/config.ts';
import type { Logger } from '../infra/logger.ts';
import { createGate, registerAuthentication, type RateLimitOptions } from './auth.ts';
import { answerClientError } from './client-errors.ts';
import { registerProblemHandlers } from './problems.ts';
import { auditRoutes, type AuditKeys } from './routes/audit.routes.ts';
import { caseChangeRoutes } from './routes/case-changes.routes.ts';
import { caseRoutes } from './routes/case.routes.ts';
import { commandRoutes } from './routes/command.routes.ts';
import { auditLogRoutes, wellKnownKeysRoute } from './routes/audit-log.routes.ts';
import { DEFAULT_CONSOLE_DIR, registerConsole } from './routes/console.routes.ts';
import { registerDocs } from './routes/docs.routes.ts';
import { healthRoutes, type HealthChecks } from './routes/health.routes.ts';
import { meRoutes } from './routes/me.routes.ts';
import { userRoutes } from './routes/user.routes.ts';
import { metricsRoutes } from './routes/metrics.routes.ts';
import { statsRoutes } from './routes/stats.routes.ts';
import { workloadRoutes } from './routes/workload.routes.ts';
import { topicRoutes } from './routes/topic.routes.ts';
import { reportRoutes } from './routes/report.routes.ts';
import { stageHistoryRoutes } from './routes/stage-history.routes.ts';
import { webhookRoutes } from './routes/webhook.routes.ts';
import { registerRequestDeadline } from './http/request-deadline.ts';
import { registerRequestSpans } from './http/request-span.ts';
import { fileRoutes } from './routes/file.routes.ts';
import { importRoutes } from './routes/import.routes.ts';
import type { OpenStage } from '../domain/index.ts';
import type { FileStore } from '../infra/files/file-store.ts';
import { registerQueueDashboard } from './queue-dashboard.ts';
import { createHandoff } from '../infra/queue/publish.ts';
import type { QueueFactory } from '../infra/queue/queue-factory.ts';
import { createTargetPolicy } from '../infra/webhooks/target-policy.ts';

export type { HealthChecks } from './routes/health.routes.ts';

export type ServerOptions = {
  rateLimit: RateLimitOptions;
  /** How long ?wait=true waits for a worker before answering 202 (docs/design.md §3: 10 s). */
  waitTimeoutMs: number;
  bodyLimit: number;
  /** The built web console served at `/` (null: none). */
  consoleDir: string | null;
  /** CIDRs where webhook receivers may be besides public addresses. */
  webhookAllowCidrs: readonly string[];
  /**
   * How long a client has to send a whole request, and its headers; how long an idle
   * keep-alive connection stays open. A client slower than these is answered 408 and cut.
   */
  timeouts: { requestMs: number; headersMs: number; keepAliveMs: number };
  /** Which peers' X-Forwarded-For is believed (Fastify's trustProxy): the client address of the rate limits. */
  trustProxy: boolean | number | string[];
  /** How far a client's clock may run ahead of the server's when it sends a business date. */
  clockSkewMs: number;
  /** CASETRAIL_TOKEN_LIFETIME: when a token issued without expiresAt expires. */
  tokenLifetimeMs: number;
  /** How often the tokens used are written (lastUsedAt); they are written on close too. */
  tokenUsageFlushMs: number;
  /** The zone of calendar dates in searches and reports (CASETRAIL_TIME_ZONE). */
  timeZone: string;
};

const DEFAULT_SERVER_OPTIONS: ServerOptions = {
  rateLimit: { max: 600, addressMax: 1200, authFailures: 30, windowMs: 60_000 },
  waitTimeoutMs: 10_000,
  bodyLimit: 1024 * 1024,
  consoleDir: DEFAULT_CONSOLE_DIR,
  webhookAllowCidrs: [],
  trustProxy: false,
  timeouts: { requestMs: 30_000, headersMs: 10_000, keepAliveMs: 5_000 },
  clockSkewMs: DEFAULT_CLOCK_SKEW_MS,
  tokenLifetimeMs: 90 * 24 * 60 * 60_000,
  tokenUsageFlushMs: 10_000,
  timeZone: DEFAULT_TIME_ZONE,
};

export interface ServerDeps {
  log: Logger;
  pool: DatabasePool;
  prisma: PrismaClient;
  health: HealthChecks;
  /** Owned by the server from here on: closed when the server closes. */
  commandWaiter: CommandWaiter;
  options?: Partial<ServerOptions>;
  /** Seals the secrets the API stores (webhook secrets). */
  secretsKey: Buffer;
  /** The HMAC key of personal data: reads show a stored value only if it matches its reference. */
  hmacKey?: Buffer;
  /** The checkpoint key; the audit routes (export, verify, checkpoints...) exist only with it. */
  audit?: AuditKeys;
  /**
   * The queue producers: queue depths in /metrics and the /admin/queues dashboard exist only
   * with them, and accepted commands are handed to their queue at once (else the relay does).
   */
  queues?: Pick<QueueFactory, 'queue' | 'queueFor' | 'queues'>;
  /** The evidence file store: the file routes (and zip exports, file erasure) exist only with it. */
  files?: FileSettings;
  /** The HMAC key of personal data and the SLA durations: the import routes exist only with them. */
  imports?: ImportSettings;
}

type ImportSettings = { hmacKey: Buffer; sla: Record<OpenStage, number> };

export type FileSettings = { store: FileStore; maxBytes: number };

/** A client's X-Request-Id is kept when it is a plain token; otherwise one is drawn. */
const CLIENT_REQUEST_ID = /^[A-Za-z0-9._:-]{1,64}$/u;

// Request lines are logged without their query string (a search may hold a name).
const REQUEST_SERIALIZERS = {
  req: (req: { method: string; url: string; ip?: string }) => ({
    method: req.method,
    url: req.url.split('?')[0],
    remoteAddress: req.ip,
  }),
};

export async function buildServer(deps: ServerDeps): Promise<FastifyInstance> {
  const options: ServerOptions = { ...DEFAULT_SERVER_OPTIONS, ...deps.options };
  const app = Fastify({
    loggerInstance: deps.log.child({}, { serializers: REQUEST_SERIALIZERS }) as FastifyBaseLogger,
    bodyLimit: options.bodyLimit,
    // Each request's deadline is registerRequestDeadline's: uploads stream past it.
    requestTimeout: 0,
    keepAliveTimeout: options.timeouts.keepAliveMs,
    // No byte either way for this long: the connection is given up (a client that stopped reading).
    connectionTimeout: options.timeouts.requestMs,
    http: {
      headersTimeout: options.timeouts.headersMs,
      // Node checks the request and headers timeouts this often (30 s unless told).
      connectionsCheckingInterval: Math.min(1_000, Math.max(50, Math.floor(options.timeouts.headersMs / 4))),
    },
    clientErrorHandler: answerClientError,
    // A hop count trusts that many proxies nearest to the server.
    trustProxy:
      typeof options.trustProxy === 'number'
        ? (_address: string, hop: number) => hop < (options.trustProxy as number)
        : options.trustProxy,
    requestIdHeader: false,
    logController: new LogController({ requestIdLogLabel: 'requestId' }),
    genReqId: (req) => {
      const given = req.headers['x-request-id'];
      return typeof given === 'string' && CLIENT_REQUEST_ID.test(given) ? given : randomUUID();
    },
  });
  registerRequestDeadline(app, options.timeouts.requestMs);
  registerRequestSpans(app);
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  // JSON only: anything else (text/plain included) answers 415.
  app.removeContentTypeParser('text/plain');
  registerProblemHandlers(app);
  app.addHook('onSend', async (request, reply) => {
    reply.header('x-request-id', request.id);
    // Every answer is what its Content-Type says: no browser guesses otherwise.
    reply.header('x-content-type-options', 'nosniff');
    if (request.url.startsWith('/v1/')) reply.header('cache-control', 'no-store');
  });
  // A request waiting for a command answers 202 at once instead of holding up shutdown.
  app.addHook('preClose', async () => deps.commandWaiter.close());
  // Open streams of case changes end, so that closing does not wait for their clients.
  const caseFeed = createCaseFeed({ pool: deps.pool, log: deps.log });
  app.addHook('preClose', async () => caseFeed.close());
  // Accepted commands are handed to their queue after the answer; closing waits for that.
  const handoff =
    deps.queues === undefined ? undefined : createHandoff({ factory: deps.queues, pool: deps.pool, log: deps.log });
  if (handoff !== undefined) app.addHook('onClose', async () => handoff.drain());

  await app.register(rateLimit, { global: false });
  // Before the console's static files and the routes, which it then compresses: the console's
  // script and styles, JSON answers. Brotli at a quality fit for answers made per request;
  // streams of case changes (hijacked) and partial answers (206) are left as they are.
  await app.register(compress, {
    global: true,
    threshold: 1024,
    encodings: ['br', 'gzip'],
    brotliOptions: { params: { [zlibConstants.BROTLI_PARAM_QUALITY]: 4 } },
  });
  const gate = createGate(app, {
    pool: deps.pool,
    rateLimit: options.rateLimit,
    tokenUsageFlushMs: options.tokenUsageFlushMs,
  });
  await registerDocs(app);
  await registerConsole(app, options.consoleDir);
  healthRoutes(app, deps.health);
  metricsRoutes(app, { pool: deps.pool, log: deps.log, ...(deps.queues === undefined ? {} : { queues: deps.queues }) });
  if (deps.queues !== undefined) await registerQueueDashboard(app, { gate, queues: deps.queues });
  // The Merkle log's public side: outside witnesses read it without a token.
  const audit = deps.audit;
  if (audit !== undefined) {
    await app.register(async (open) => wellKnownKeysRoute(open, { pool: deps.pool, publicKey: audit.publicKey }));
    await app.register(async (open) => auditLogRoutes(open, { pool: deps.pool }), { prefix: '/v1' });
  }
  await app.register(
    async (v1) => {
      registerAuthentication(v1, gate);
      commandRoutes(v1, {
        pool: deps.pool,
        ...(deps.hmacKey === undefined ? {} : { hmacKey: deps.hmacKey }),
        commandWaiter: deps.commandWaiter,
        waitTimeoutMs: options.waitTimeoutMs,
        clockSkewMs: options.clockSkewMs,
        inbox: createCommandInbox(deps.pool),
        ...(handoff === undefined ? {} : { handoff }),
      });
      caseRoutes(v1, {
        pool: deps.pool,
        timeZone: options.timeZone,
        ...(deps.hmacKey === undefined ? {} : { hmacKey: deps.hmacKey }),
      });
      caseChangeRoutes(v1, { pool: deps.pool, feed: caseFeed });
      userRoutes(v1, { pool: deps.pool, unknownTokens: gate.unknownTokens, tokenLifetimeMs: options.tokenLifetimeMs });
      meRoutes(v1, { pool: deps.pool });
      statsRoutes(v1, { pool: deps.pool });
      workloadRoutes(v1, { pool: deps.pool });
      topicRoutes(v1, { pool: deps.pool });
      reportRoutes(v1, { pool: deps.pool, timeZone: options.timeZone });
      stageHistoryRoutes(v1, { pool: deps.pool });
      webhookRoutes(v1, {
        prisma: deps.prisma,
        targets: createTargetPolicy(options.webhookAllowCidrs),
        secretsKey: deps.secretsKey,
      });
      if (deps.audit !== undefined)
        auditRoutes(v1, {
          pool: deps.pool,
          log: deps.log,
          audit: deps.audit,
          ...(deps.files === undefined ? {} : { store: deps.files.store }),
        });
      if (deps.imports !== undefined) {
        await importRoutes(v1, { pool: deps.pool, log: deps.log, ...deps.imports, maxBytes: 512 * 1024 * 1024 });
      }
      if (deps.files !== undefined) {
        await fileRoutes(v1, {
          pool: deps.pool,
          ...(deps.hmacKey === undefined ? {} : { hmacKey: deps.hmacKey }),
          log: deps.log,
          store: deps.files.store,
          maxBytes: deps.files.maxBytes,
          commandWaiter: deps.commandWaiter,
          waitTimeoutMs: options.waitTimeoutMs,
          progressWindowMs: options.timeouts.requestMs,
          ...(handoff === undefined ? {} : { handoff }),
        });
      }
    },
    { prefix: '/v1' },
  );
  return app;
}

export type ApiInput = {
  db: { pool: DatabasePool; prisma: PrismaClient };
  log: Logger;
  config: Config;
  health: HealthChecks;
  audit: AuditKeys;
  secretsKey: Buffer;
  queues?: Pick<QueueFactory, 'queue' | 'queueFor' | 'queues'>;
  files?: FileSettings;
  /** The HMAC key of personal data: references resolved with it, and the import routes exist only with it. */
  hmacKey?: Buffer;
};

/** The HTTP API of a casetrail process: its LISTEN connection for ?wait=true included. */
export async function createApi(input: ApiInput): Promise<FastifyInstance> {
  const commandWaiter = createCommandWaiter({ pool: input.db.pool, log: input.log });
  await commandWaiter.start();
  try {
    return await buildServer({
      log: input.log,
      pool: input.db.pool,
      prisma: input.db.prisma,
      health: input.health,
      commandWaiter,
      audit: input.audit,
      secretsKey: input.secretsKey,
      ...(input.hmacKey === undefined ? {} : { hmacKey: input.hmacKey }),
      ...(input.queues === undefined ? {} : { queues: input.queues }),
      ...(input.files === undefined ? {} : { files: input.files }),
      ...(input.hmacKey === undefined
        ? {}
        : {
            imports: {
              hmacKey: input.hmacKey,
              sla: {
                received: input.config.CASETRAIL_SLA_RECEIVED,
                verified: input.config.CASETRAIL_SLA_VERIFIED,
                referred: input.config.CASETRAIL_SLA_REFERRED,
                penalty_issued: input.config.CASETRAIL_SLA_PENALTY_ISSUED,
              },
            },
          }),
      options: {
        rateLimit: {
          max: input.config.CASETRAIL_RATE_LIMIT_MAX,
          addressMax: input.config.CASETRAIL_RATE_LIMIT_ADDRESS_MAX,
          authFailures: input.config.CASETRAIL_RATE_LIMIT_AUTH_FAILURES,
          windowMs: input.config.CASETRAIL_RATE_LIMIT_WINDOW,
        },
        trustProxy: input.config.CASETRAIL_TRUST_PROXY,
        timeouts: {
          requestMs: input.config.CASETRAIL_HTTP_REQUEST_TIMEOUT,
          headersMs: input.config.CASETRAIL_HTTP_HEADERS_TIMEOUT,
          keepAliveMs: input.config.CASETRAIL_HTTP_KEEP_ALIVE_TIMEOUT,
        },
        webhookAllowCidrs: input.config.CASETRAIL_WEBHOOK_ALLOW_CIDRS,
        clockSkewMs: input.config.CASETRAIL_CLOCK_SKEW,
        tokenLifetimeMs: input.config.CASETRAIL_TOKEN_LIFETIME,
        timeZone: input.config.CASETRAIL_TIME_ZONE,
      },
    });
  } catch (error) {
    await commandWaiter.close();
    throw error;
  }
}
