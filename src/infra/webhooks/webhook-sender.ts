import { createHmac } from 'node:crypto';
import dns from 'node:dns/promises';
import net, { type LookupFunction } from 'node:net';
import { Agent, buildConnector, fetch } from 'undici';
import type { TargetPolicy } from './target-policy.ts';

/** Headers of every webhook POST (lower-case, as HTTP/2 and Node's http module give them). */
const WEBHOOK_HEADERS = {
  delivery: 'x-casetrail-delivery',
  event: 'x-casetrail-event',
  eventId: 'x-casetrail-event-id',
  timestamp: 'x-casetrail-timestamp',
  signature: 'x-casetrail-signature',
} as const;

/**
 * `sha256=` and the hex HMAC-SHA256, keyed with the endpoint's secret, of
 * `<timestamp>.<raw body>`: binding the timestamp lets a receiver refuse replays.
 */
export function signWebhook(secret: string, timestamp: number, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`, 'utf8').digest('hex')}`;
}

export type WebhookPost = {
  url: string;
  secret: string;
  deliveryId: string;
  eventId: string;
  eventType: string;
  /** The exact bytes that are signed and sent. */
  body: string;
  timeoutMs: number;
};

export type WebhookResponse = {
  ok: boolean;
  statusCode: number | null;
  error: string | null;
  /** Refused by the target policy before anything was sent. */
  blocked: boolean;
  durationMs: number;
};

/** A connection the target policy refused; its message is what the delivery log shows. */
class WebhookTargetBlocked extends Error {
  override readonly name = 'WebhookTargetBlocked';
  constructor(reason: string) {
    super(`blocked: ${reason}`);
  }
}

export type ResolvedAddress = { address: string; family: number };
/** Resolves a host name to its addresses (dns.lookup by default; tests stub it). */
export type Resolver = (hostname: string) => Promise<ResolvedAddress[]>;

const systemResolver: Resolver = (hostname) => dns.lookup(hostname, { all: true, verbatim: true });

export interface WebhookSender {
  post(post: WebhookPost): Promise<WebhookResponse>;
  close(): Promise<void>;
}

const MAX_ERROR_LENGTH = 300;

/**
 * POSTs deliveries through a connection pool whose every connection is checked against the
 * target policy: the host's addresses as resolved for that very connection (so a name that
 * turns to 10.0.0.5 or 169.254.169.254 after registration is refused before any connect),
 * an address literal before connecting, and the socket's peer once connected.
 */
export function createWebhookSender(options: { policy: TargetPolicy; resolve?: Resolver }): WebhookSender {
  const { policy } = options;
  const resolve = options.resolve ?? systemResolver;
  const lookup: LookupFunction = (hostname, lookupOptions, callback) => {
    const family = lookupOptions.family === 4 || lookupOptions.family === 6 ? lookupOptions.family : 0;
    resolve(hostname).then(
      (addresses) => {
        let refused: string | undefined;
        const permitted = addresses.filter((candidate) => {
          if (family !== 0 && candidate.family !== family) return false;
          const verdict = policy.checkAddress(candidate.address);
          if (!verdict.ok) refused ??= verdict.reason;
          return verdict.ok;
        });
        const first = permitted[0];
        if (first === undefined) {
          const error = new WebhookTargetBlocked(refused ?? `host ${hostname} has no address`);
          callback(error as NodeJS.ErrnoException, '', 0);
        } else if (lookupOptions.all) {
          (callback as unknown as (e: null, all: ResolvedAddress[]) => void)(null, permitted);
        } else {
          callback(null, first.address, first.family);
        }
      },
      (error: NodeJS.ErrnoException) => callback(error, '', 0),
    );
  };
  const base = buildConnector({ lookup });
  const connect: buildConnector.connector = (target, callback) => {
    const literal = target.hostname.startsWith('[') ? target.hostname.slice(1, -1) : target.hostname;
    if (net.isIP(literal) !== 0) {
      const verdict = policy.checkAddress(literal);
      if (!verdict.ok) return callback(new WebhookTargetBlocked(verdict.reason), null);
    }
    return base(target, (error, socket) => {
      if (error !== null) return callback(error, null);
      const verdict = policy.checkAddress(socket.remoteAddress ?? '');
      if (verdict.ok) return callback(null, socket);
      socket.destroy();
      return callback(new WebhookTargetBlocked(verdict.reason), null);
    });
  };
  const agent = new Agent({ connect });

  return {
    async post(post) {
      const timestamp = Math.floor(Date.now() / 1000);
      const started = performance.now();
      try {
        const response = await fetch(post.url, {
          method: 'POST',
          redirect: 'manual',
          dispatcher: agent,
          signal: AbortSignal.timeout(post.timeoutMs),
          headers: {
            'content-type': 'application/json',
            'user-agent': 'casetrail-webhooks/1',
            [WEBHOOK_HEADERS.delivery]: post.deliveryId,
            [WEBHOOK_HEADERS.event]: post.eventType,
            [WEBHOOK_HEADERS.eventId]: post.eventId,
            [WEBHOOK_HEADERS.timestamp]: String(timestamp),
            [WEBHOOK_HEADERS.signature]: signWebhook(post.secret, timestamp, post.body),
          },
          body: post.body,
        });
        // The answer's body is not used; reading it lets the connection be reused.
        await response.arrayBuffer().catch(() => undefined);
        const ok = response.status >= 200 && response.status < 300;
        return {
          ok,
          statusCode: response.status,
          error: ok ? null : `HTTP ${response.status}`,
          blocked: false,
          durationMs: performance.now() - started,
        };
      } catch (error) {
        const blocked = blockedIn(error);
        return {
          ok: false,
          statusCode: null,
          error: blocked?.message ?? describe(error, post.timeoutMs),
          blocked: blocked !== null,
          durationMs: performance.now() - started,
        };
      }
    },
    close: () => agent.close(),
  };
}

/** The policy's refusal behind a failed fetch (fetch wraps it; several addresses make an AggregateError). */
function blockedIn(error: unknown, depth = 0): WebhookTargetBlocked | null {
  if (error instanceof WebhookTargetBlocked) return error;
  if (depth > 3 || typeof error !== 'object' || error === null) return null;
  const { cause, errors } = error as { cause?: unknown; errors?: unknown };
  for (const inner of [cause, ...(Array.isArray(errors) ? errors : [])]) {
    const found = blockedIn(inner, depth + 1);
    if (found !== null) return found;
  }
  return null;
}

function describe(error: unknown, timeoutMs: number): string {
  const err = error as { name?: string; message?: string; cause?: { code?: string; message?: string } };
  if (err.name === 'TimeoutError') return `no answer within ${timeoutMs} ms`;
  const detail = err.cause?.code ?? err.cause?.message ?? err.message ?? String(error);
  return detail.slice(0, MAX_ERROR_LENGTH);
}
