import { createHmac } from 'node:crypto';

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

export type WebhookResponse = { ok: boolean; statusCode: number | null; error: string | null; durationMs: number };

const MAX_ERROR_LENGTH = 300;

/**
 * POSTs one delivery. Any 2xx is success; redirects are not followed (a receiver that moved
 * must be registered again, and a redirect must not steer the POST elsewhere).
 */
export async function postWebhook(post: WebhookPost): Promise<WebhookResponse> {
  const timestamp = Math.floor(Date.now() / 1000);
  const started = performance.now();
  try {
    const response = await fetch(post.url, {
      method: 'POST',
      redirect: 'manual',
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
      durationMs: performance.now() - started,
    };
  } catch (error) {
    return {
      ok: false,
      statusCode: null,
      error: describe(error, post.timeoutMs),
      durationMs: performance.now() - started,
    };
  }
}

function describe(error: unknown, timeoutMs: number): string {
  const err = error as { name?: string; message?: string; cause?: { code?: string; message?: string } };
  if (err.name === 'TimeoutError') return `no answer within ${timeoutMs} ms`;
  const detail = err.cause?.code ?? err.cause?.message ?? err.message ?? String(error);
  return detail.slice(0, MAX_ERROR_LENGTH);
}
