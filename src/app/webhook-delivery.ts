import type pg from 'pg';
import type { StoredEvent } from '../domain/index.ts';
import {
  fanOutDeliveries,
  loadDelivery,
  markDeliveryFailed,
  recordAttempt,
  storeSealedSecret,
  type DeliveryWork,
} from '../infra/db/webhook.repository.ts';
import { lazyChild, type Logger } from '../infra/logger.ts';
import { webhookAttemptsTotal } from '../infra/metrics.ts';
import { SecretUnreadable, openSecret, sealSecret } from '../infra/secret-box.ts';
import type { WebhookResponse, WebhookSender } from '../infra/webhooks/webhook-sender.ts';

/** Nothing is POSTed without the secret to sign it: a failed attempt, retried like any other. */
const UNREADABLE_SECRET: WebhookResponse = {
  ok: false,
  statusCode: null,
  error: 'the secret does not open with this key (is CASETRAIL_SECRETS_KEY the one it was sealed with?)',
  blocked: false,
  durationMs: 0,
};

/** Creates the deliveries of one event (idempotent: an event projected twice fans out once). */
export async function fanOutWebhooks(pool: pg.Pool, event: StoredEvent & { id: string }): Promise<number> {
  return fanOutDeliveries(pool, { id: event.id, type: event.type, caseId: event.caseId });
}

/**
 * The body of every webhook: the event as hashed, in the shape `GET /v1/cases/{id}/events`
 * presents. Its personal references stay unresolved: receivers are outside the reader
 * checks. Its id is what a receiver dedupes on (delivery is at least once).
 */
export function webhookBody(event: StoredEvent & { id: string }): string {
  return JSON.stringify({
    id: event.id,
    caseId: event.caseId,
    seq: event.seq,
    type: event.type,
    payload: event.payload,
    actor: event.actor,
    commandId: event.commandId,
    occurredAt: event.occurredAt,
    prevHash: event.prevHash,
    hash: event.hash,
  });
}

export type DeliveryDeps = {
  pool: pg.Pool;
  log: Logger;
  timeoutMs: number;
  sender: WebhookSender;
  /** Opens the endpoints' sealed secrets. */
  secretsKey: Buffer;
};

/**
 * The endpoint's secret: opened from its sealed form, or taken from a row stored before
 * secrets were sealed, which is sealed now. Null when it does not open with this key.
 */
async function endpointSecret(deps: DeliveryDeps, endpoint: DeliveryWork['endpoint']): Promise<string | null> {
  if (endpoint.secretSealed !== null) {
    try {
      return openSecret(deps.secretsKey, endpoint.secretSealed, endpoint.id);
    } catch (error) {
      if (error instanceof SecretUnreadable) return null;
      throw error;
    }
  }
  if (endpoint.secret === null) return null;
  await storeSealedSecret(
    deps.pool,
    endpoint.id,
    endpoint.secret,
    sealSecret(deps.secretsKey, endpoint.secret, endpoint.id),
  );
  return endpoint.secret;
}

export type DeliveryOutcome =
  | { status: 'delivered'; attempt: number; statusCode: number }
  /** Not delivered this time; the queue retries with backoff. */
  | { status: 'retry'; attempt: number; error: string }
  /** Not delivered, and that was the last attempt. */
  | { status: 'failed'; attempt: number; error: string }
  /** Refused by the target policy (a private or loopback address...): never retried. */
  | { status: 'blocked'; attempt: number; error: string }
  | { status: 'skipped'; reason: 'already delivered' | 'endpoint disabled' }
  | { status: 'missing' };

/**
 * POSTs one delivery (outside any transaction: a slow receiver holds no lock) and records
 * the attempt. `lastAttempt` says whether the queue will try again after a failure.
 */
export async function deliverWebhook(
  deps: DeliveryDeps,
  deliveryId: string,
  options: { lastAttempt: boolean },
): Promise<DeliveryOutcome> {
  const work = await loadDelivery(deps.pool, deliveryId);
  if (work === null) return { status: 'missing' };
  if (work.status === 'delivered') return { status: 'skipped', reason: 'already delivered' };
  if (!work.endpoint.active) {
    await markDeliveryFailed(deps.pool, deliveryId, 'endpoint disabled');
    return { status: 'skipped', reason: 'endpoint disabled' };
  }
  const secret = await endpointSecret(deps, work.endpoint);
  const response =
    secret === null
      ? UNREADABLE_SECRET
      : await deps.sender.post({
          url: work.endpoint.url,
          secret,
          deliveryId,
          eventId: work.event.id,
          eventType: work.event.type,
          body: webhookBody(work.event),
          timeoutMs: deps.timeoutMs,
        });
  const status = response.ok ? 'delivered' : response.blocked ? 'blocked' : options.lastAttempt ? 'failed' : 'pending';
  const attempt = await recordAttempt(deps.pool, {
    deliveryId,
    statusCode: response.statusCode,
    error: response.error,
    durationMs: response.durationMs,
    status,
  });
  const log = lazyChild(deps.log, { deliveryId, endpointId: work.endpoint.id, eventId: work.event.id });
  if (response.ok) {
    webhookAttemptsTotal.inc({ result: 'delivered' });
    log.debug({ attempt, statusCode: response.statusCode }, 'webhook delivered');
    return { status: 'delivered', attempt, statusCode: response.statusCode ?? 0 };
  }
  const error = response.error ?? 'failed';
  if (response.blocked) {
    webhookAttemptsTotal.inc({ result: 'blocked' });
    log.warn({ attempt, error }, 'webhook delivery blocked');
    return { status: 'blocked', attempt, error };
  }
  webhookAttemptsTotal.inc({ result: options.lastAttempt ? 'failed' : 'retry' });
  if (options.lastAttempt) {
    log.warn({ attempt, statusCode: response.statusCode, error }, 'webhook delivery failed for good');
    return { status: 'failed', attempt, error };
  }
  log.info({ attempt, statusCode: response.statusCode, error }, 'webhook delivery failed, will retry');
  return { status: 'retry', attempt, error };
}
