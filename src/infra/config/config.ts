import { z } from 'zod';
import { DEFAULT_TIME_ZONE } from '../../domain/index.ts';
import { redisClusterNodesSchema } from './redis-cluster-nodes.ts';
import { ConfigError } from './config-error.ts';
import { parseCidr } from '../webhooks/target-policy.ts';

const duration = (fallback: string) =>
  z
    .string()
    .default(fallback)
    .transform((value, ctx) => {
      const ms = parseDuration(value);
      if (ms === null) {
        ctx.addIssue({ code: 'custom', message: 'expected a duration such as 500ms, 30s, 15m, 24h or 30d' });
        return z.NEVER;
      }
      return ms;
    });

const url = (protocols: readonly string[]) =>
  z.string().refine(
    (value) => {
      try {
        return protocols.includes(new URL(value).protocol);
      } catch {
        return false;
      }
    },
    `expected a ${protocols.map((p) => p.replace(':', '')).join(' or ')} URL`,
  );

const cidrList = z
  .string()
  .default('')
  .transform((value, ctx) => {
    const items = value
      .split(',')
      .map((item) => item.trim())
      .filter((item) => item !== '');
    const bad = items.filter((item) => parseCidr(item) === null);
    if (bad.length > 0) {
      ctx.addIssue({ code: 'custom', message: `not an IP address or CIDR: ${bad.join(', ')}` });
      return z.NEVER;
    }
    return items;
  });

const PROXY_NAMES = ['loopback', 'linklocal', 'uniquelocal'];

const trustProxy = z
  .string()
  .default('false')
  .transform((value, ctx): boolean | number | string[] => {
    const text = value.trim();
    if (text === 'false') return false;
    if (text === 'true') return true;
    if (/^\d+$/u.test(text)) return Number(text);
    const items = text.split(',').map((item) => item.trim());
    const bad = items.filter((item) => !PROXY_NAMES.includes(item) && parseCidr(item) === null);
    if (bad.length > 0 || items.includes('')) {
      ctx.addIssue({
        code: 'custom',
        message: `expected false, true, a hop count or proxy addresses/CIDRs; not: ${bad.join(', ') || '(empty)'}`,
      });
      return z.NEVER;
    }
    return items;
  });

/** A zone the runtime knows by its IANA name. */
function isTimeZone(name: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: name });
    return true;
  } catch {
    return false;
  }
}

const positiveInt = (fallback: number) => z.coerce.number().int().positive().default(fallback);

/**
 * Every setting casetrail reads from the environment. Parsed once at start; the
 * configuration table of docs/configuration.md is generated from the descriptions here.
 */
export const configSchema = z
  .object({
    DATABASE_URL: url(['postgres:', 'postgresql:'])
      .optional()
      .describe(
        'PostgreSQL URL the application connects with; its role should own no table (see CASETRAIL_MIGRATION_DATABASE_URL); unset: an embedded PostgreSQL in CASETRAIL_DATA_DIR, where casetrail connects as the casetrail_app role it makes',
      ),
    CASETRAIL_MIGRATION_DATABASE_URL: url(['postgres:', 'postgresql:'])
      .optional()
      .describe(
        "PostgreSQL URL of the role that owns the schema, used to migrate (casetrail migrate, and at start); casetrail then creates DATABASE_URL's role if missing (when this role may create roles) and grants it every table but UPDATE, DELETE and TRUNCATE on the append-only ones (events, checkpoints, access_log); unset: migrations run as DATABASE_URL's role",
      ),
    REDIS_URL: url(['redis:', 'rediss:'])
      .optional()
      .describe('Redis URL for the queues; unset: queues run on PostgreSQL'),
    CASETRAIL_REDIS_CLUSTER_NODES: redisClusterNodesSchema
      .optional()
      .describe(
        "Redis Cluster seed nodes instead of REDIS_URL: comma-separated host:port or redis:// URLs (the first one's credentials and TLS apply to all)",
      ),
    CASETRAIL_QUEUE_BACKEND: z
      .enum(['redis', 'postgres'])
      .optional()
      .describe('queue backend; default redis when REDIS_URL or CASETRAIL_REDIS_CLUSTER_NODES is set, else postgres'),
    CASETRAIL_REDIS_PREFIX: z
      .string()
      .regex(/^[A-Za-z0-9_.-]{1,64}$/, 'letters, digits, _ . - only')
      .default('casetrail')
      .describe('key prefix of every BullMQ key'),
    HOST: z.string().min(1).default('127.0.0.1').describe('address the HTTP API listens on'),
    PORT: z.coerce.number().int().min(0).max(65535).default(3000).describe('HTTP port (0 picks a free one)'),
    LOG_LEVEL: z
      .enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
      .default('info')
      .describe('pino log level'),
    CASETRAIL_DATA_DIR: z
      .string()
      .min(1)
      .default('./.casetrail')
      .describe('embedded PostgreSQL data and generated keys'),
    CASETRAIL_SIGNING_KEY: z
      .string()
      .min(1)
      .optional()
      .describe('Ed25519 private key (PEM or base64 PKCS#8) for checkpoints; unset: generated into the data directory'),
    CASETRAIL_HMAC_KEY: z
      .string()
      .min(32, 'at least 32 characters')
      .optional()
      .describe('key of the HMAC digests of personal data; unset: generated into the data directory'),
    CASETRAIL_SECRETS_KEY: z
      .string()
      .min(32, 'at least 32 characters')
      .optional()
      .describe(
        'key that encrypts secrets at rest (webhook secrets, AES-256-GCM); unset: generated into the data directory',
      ),
    CASETRAIL_SLA_RECEIVED: duration('24h').describe('deadline of the received stage'),
    CASETRAIL_SLA_VERIFIED: duration('48h').describe('deadline of the verified stage'),
    CASETRAIL_SLA_REFERRED: duration('30d').describe('deadline of the referred stage'),
    CASETRAIL_SLA_PENALTY_ISSUED: duration('60d').describe('deadline of the penalty_issued stage'),
    CASETRAIL_SLA_SWEEP_INTERVAL: duration('1m').describe(
      'how often the sweeper records breaches whose timer was lost (Redis FLUSHALL, restart)',
    ),
    CASETRAIL_CLAIM_LEASE: duration('30m').describe('how long a verifier claim (or an assignment) lasts'),
    CASETRAIL_TOKEN_LIFETIME: duration('90d').describe(
      'how long a new API token lasts when it is issued without expiresAt',
    ),
    CASETRAIL_CLOCK_SKEW: duration('5m').describe(
      'how far a business date (capturedAt, issuedAt, filedAt...) may lie ahead of the server clock',
    ),
    CASETRAIL_TIME_ZONE: z
      .string()
      .default(DEFAULT_TIME_ZONE)
      .refine(isTimeZone, 'must be an IANA time zone, such as Asia/Ho_Chi_Minh')
      .describe('the time zone of calendar dates in searches and reports (from, to, months)'),
    CASETRAIL_WORKER_CONCURRENCY: positiveInt(8).describe('jobs processed at once per queue and process'),
    CASETRAIL_DB_POOL_SIZE: positiveInt(20).describe('PostgreSQL connections per process'),
    CASETRAIL_QUEUE_DB_POOL_SIZE: positiveInt(10).describe(
      'PostgreSQL connections of the queues on the postgres backend (plus one per worker)',
    ),
    CASETRAIL_JOB_ATTEMPTS: positiveInt(10).describe(
      'deliveries of a job before it fails for good (the reconciler republishes it later)',
    ),
    CASETRAIL_JOB_BACKOFF: duration('1s').describe('first retry delay of a failed job; doubles on each attempt'),
    CASETRAIL_JOB_LOCK_DURATION: duration('30s').describe('how long a worker holds a job before it counts as stalled'),
    CASETRAIL_JOB_STALLED_INTERVAL: duration('30s').describe('how often workers look for stalled jobs'),
    CASETRAIL_WORKER_CLOSE_TIMEOUT: duration('10s').describe(
      'how long shutdown waits for running jobs before it stops waiting',
    ),
    CASETRAIL_OTLP_ENDPOINT: url(['http:', 'https:'])
      .optional()
      .describe(
        'OTLP/HTTP traces endpoint (e.g. http://collector:4318/v1/traces); set, each command is traced from its request through the queue, the worker and the projections; unset, tracing is off',
      ),
    CASETRAIL_QUEUE_SHARDS: positiveInt(1).describe(
      'how many queues each stage queue is split into, by case id (each with its own hash tag, so one stage spreads over the masters of a Redis Cluster); change it only with the queues drained',
    ),
    CASETRAIL_ABANDONED_CHECK_INTERVAL: duration('2s').describe(
      'how often the reconciler puts jobs left active with no lock (a worker killed or stopped past its grace) back to wait',
    ),
    CASETRAIL_STARTUP_WAIT: duration('2m').describe(
      'how long a server or worker waits at start for PostgreSQL and Redis to answer, retrying with backoff, before it exits',
    ),
    CASETRAIL_RELAY_POLL_INTERVAL: duration('1s').describe('outbox relay polling fallback (NOTIFY wakes it sooner)'),
    CASETRAIL_RELAY_BATCH_SIZE: positiveInt(500).describe('outbox rows published per relay round'),
    CASETRAIL_RECONCILE_INTERVAL: duration('30s').describe(
      'how often the reconciler looks for published work that never finished',
    ),
    CASETRAIL_RECONCILE_AFTER: duration('2m').describe(
      'age of a published, unfinished outbox row before the reconciler republishes it',
    ),
    CASETRAIL_CHECKPOINT_EVENTS: positiveInt(1000).describe(
      'audit checkpoint every N events (also the most one checkpoint covers)',
    ),
    CASETRAIL_CHECKPOINT_INTERVAL: duration('30s').describe(
      'audit checkpoint at the latest this long after an event (T)',
    ),
    CASETRAIL_TSA_URL: z
      .url({ protocol: /^https?$/u })
      .optional()
      .describe(
        'RFC 3161 time-stamp authority: each signed tree head gets a time stamp from it, kept and put in bundles; unset: none',
      ),
    CASETRAIL_RATE_LIMIT_MAX: positiveInt(600).describe('API requests allowed per token in each rate-limit window'),
    CASETRAIL_RATE_LIMIT_ADDRESS_MAX: positiveInt(1200).describe(
      'API requests allowed per client address in each window, counted before the token is looked at (an address may carry several users: an office behind NAT)',
    ),
    CASETRAIL_RATE_LIMIT_AUTH_FAILURES: positiveInt(30).describe(
      'requests without a valid token allowed per client address in each window; past it the address gets 429 until the window ends, with no token lookup',
    ),
    CASETRAIL_TRUST_PROXY: trustProxy.describe(
      'whose X-Forwarded-For gives the client address (for the rate limits and logs): false, true (any peer: only behind a proxy that overwrites it), a hop count, or comma-separated proxy addresses/CIDRs (loopback, linklocal, uniquelocal as names)',
    ),
    CASETRAIL_RATE_LIMIT_WINDOW: duration('1m').describe('the API rate-limit window'),
    CASETRAIL_HTTP_REQUEST_TIMEOUT: duration('30s').describe(
      'how long an API client has to send a whole request (headers and body); a slower one gets 408 and is disconnected. An evidence file upload may take longer but must send 64 KiB in each such period',
    ),
    CASETRAIL_HTTP_HEADERS_TIMEOUT: duration('10s').describe(
      'how long an API client has to send the headers of a request (at most CASETRAIL_HTTP_REQUEST_TIMEOUT)',
    ),
    CASETRAIL_HTTP_KEEP_ALIVE_TIMEOUT: duration('5s').describe(
      'how long an idle keep-alive connection to the API stays open',
    ),
    CASETRAIL_API_URL: url(['http:', 'https:'])
      .default('http://127.0.0.1:3000')
      .describe('API the command line talks to (submit, cases)'),
    CASETRAIL_TOKEN: z.string().min(1).optional().describe('API token the command line uses (or --token)'),
    CASETRAIL_WEBHOOK_ATTEMPTS: positiveInt(12).describe('POSTs of a webhook delivery before it is marked failed'),
    CASETRAIL_WEBHOOK_BACKOFF: duration('10s').describe(
      'first retry delay of a webhook delivery; doubles on each attempt',
    ),
    CASETRAIL_WEBHOOK_TIMEOUT: duration('10s').describe('how long a webhook receiver has to answer'),
    CASETRAIL_WEBHOOK_ALLOW_CIDRS: cidrList.describe(
      'comma-separated CIDRs (or addresses) where webhook receivers may be besides public addresses, e.g. 10.20.0.0/16 for an in-house receiver; unset: loopback, private, link-local and other internal addresses are refused',
    ),
    CASETRAIL_FILE_STORE: z
      .string()
      .refine((value) => fileStoreUrl(value) !== null, 'expected file:///absolute/path or s3://bucket/prefix')
      .optional()
      .describe('where evidence files are kept: file:///path or s3://bucket/prefix; unset: <CASETRAIL_DATA_DIR>/files'),
    CASETRAIL_FILE_MAX_BYTES: positiveInt(500 * 1024 * 1024).describe(
      'largest evidence file accepted, in bytes (default 500 MiB; larger uploads answer 413)',
    ),
    CASETRAIL_FILE_SWEEP_INTERVAL: duration('1h').describe(
      'how often the sweeper removes what cut-off uploads and rejected files left in the file store',
    ),
    CASETRAIL_FILE_SWEEP_GRACE: duration('24h').describe(
      'age before the sweeper removes a temporary upload, or an object that no file refers to',
    ),
    AWS_ENDPOINT_URL: url(['http:', 'https:'])
      .optional()
      .describe(
        "S3-compatible endpoint of an s3:// file store (standard AWS variable; credentials come from AWS_ACCESS_KEY_ID and the SDK's other usual sources)",
      ),
    AWS_REGION: z.string().min(1).default('us-east-1').describe('region of an s3:// file store'),
    CASETRAIL_S3_FORCE_PATH_STYLE: z
      .enum(['true', 'false'])
      .optional()
      .describe('path-style S3 requests (bucket in the path); default true when AWS_ENDPOINT_URL is set'),
  })
  .refine(
    (c) =>
      c.CASETRAIL_QUEUE_BACKEND !== 'redis' ||
      c.REDIS_URL !== undefined ||
      c.CASETRAIL_REDIS_CLUSTER_NODES !== undefined,
    {
      path: ['REDIS_URL'],
      message: 'required when CASETRAIL_QUEUE_BACKEND is redis (or CASETRAIL_REDIS_CLUSTER_NODES)',
    },
  )
  .refine((c) => c.CASETRAIL_HTTP_HEADERS_TIMEOUT <= c.CASETRAIL_HTTP_REQUEST_TIMEOUT, {
    path: ['CASETRAIL_HTTP_HEADERS_TIMEOUT'],
    message: 'must not be longer than CASETRAIL_HTTP_REQUEST_TIMEOUT',
  })
  .refine((c) => c.REDIS_URL === undefined || c.CASETRAIL_REDIS_CLUSTER_NODES === undefined, {
    path: ['CASETRAIL_REDIS_CLUSTER_NODES'],
    message: 'set either REDIS_URL (one server) or CASETRAIL_REDIS_CLUSTER_NODES (a cluster), not both',
  });

export type Config = z.output<typeof configSchema>;

export { ConfigError };

export function parseConfig(env: Record<string, string | undefined>): Config {
  // Empty strings count as unset, as in most shells' `VAR= cmd`.
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const result = configSchema.safeParse(cleaned);
  if (!result.success) {
    const lines = result.error.issues.map((issue) => `  ${issue.path.join('.') || '(environment)'}: ${issue.message}`);
    throw new ConfigError(`invalid configuration:\n${lines.join('\n')}`);
  }
  return result.data;
}

let cached: Config | undefined;

/** The process configuration, read from process.env on first use. */
export function loadConfig(): Config {
  cached ??= parseConfig(process.env);
  return cached;
}

export function queueBackend(config: Config): 'redis' | 'postgres' {
  return (
    config.CASETRAIL_QUEUE_BACKEND ?? (config.REDIS_URL || config.CASETRAIL_REDIS_CLUSTER_NODES ? 'redis' : 'postgres')
  );
}

export type FileStoreUrl = { kind: 'file'; path: string } | { kind: 's3'; bucket: string; prefix: string };

/** file:///absolute/path or s3://bucket[/prefix]; null for anything else. */
export function fileStoreUrl(value: string): FileStoreUrl | null {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return null;
  }
  if (url.protocol === 'file:' && url.host === '' && url.pathname.length > 1) {
    return { kind: 'file', path: decodeURIComponent(url.pathname) };
  }
  if (url.protocol === 's3:' && /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/u.test(url.hostname)) {
    const prefix = decodeURIComponent(url.pathname).replace(/^\/+/u, '');
    return { kind: 's3', bucket: url.hostname, prefix: prefix === '' || prefix.endsWith('/') ? prefix : `${prefix}/` };
  }
  return null;
}

export function parseDuration(value: string): number | null {
  const match = /^(\d+)(ms|s|m|h|d)$/.exec(value.trim());
  if (!match) return null;
  const units = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;
  return Number(match[1]) * units[match[2] as keyof typeof units];
}
