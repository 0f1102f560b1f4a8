import type pg from 'pg';
import type { EventType, StoredEvent } from '../../domain/index.ts';
import type { PrismaClient } from '../../generated/prisma/client.ts';
import { WEBHOOK_JOB } from '../queue/catalog.ts';
import { rowToEvent, type EventRow } from './case.repository.ts';

/** An endpoint as admins see it: never its secret. */
export type EndpointRecord = {
  id: string;
  url: string;
  /** Checked against EVENT_TYPES when registered. */
  eventTypes: EventType[];
  description: string | null;
  active: boolean;
  createdBy: string;
  createdAt: string;
  disabledAt: string | null;
};

type AttemptRecord = {
  attempt: number;
  statusCode: number | null;
  error: string | null;
  durationMs: number;
  attemptedAt: string;
};

export type DeliveryRecord = {
  id: string;
  endpointId: string;
  eventId: string;
  eventType: EventType;
  caseId: string;
  /** blocked: the target policy refused the receiver's address; not retried. */
  status: 'pending' | 'delivered' | 'failed' | 'blocked';
  attempts: number;
  lastStatusCode: number | null;
  lastError: string | null;
  createdAt: string;
  lastAttemptAt: string | null;
  deliveredAt: string | null;
  attemptLog: AttemptRecord[];
};

type EndpointModel = {
  id: string;
  url: string;
  eventTypes: string[];
  description: string | null;
  active: boolean;
  createdBy: string;
  createdAt: Date;
  disabledAt: Date | null;
};

const toEndpoint = (e: EndpointModel): EndpointRecord => ({
  id: e.id,
  url: e.url,
  eventTypes: e.eventTypes as EventType[],
  description: e.description,
  active: e.active,
  createdBy: e.createdBy,
  createdAt: e.createdAt.toISOString(),
  disabledAt: e.disabledAt?.toISOString() ?? null,
});

const ENDPOINT_FIELDS = {
  id: true,
  url: true,
  eventTypes: true,
  description: true,
  active: true,
  createdBy: true,
  createdAt: true,
  disabledAt: true,
} as const;

export async function insertEndpoint(
  prisma: PrismaClient,
  endpoint: {
    id: string;
    url: string;
    eventTypes: string[];
    /** Sealed with the endpoint's id as its context: the plaintext is never stored. */
    secretSealed: string;
    description: string | null;
    createdBy: string;
  },
): Promise<EndpointRecord> {
  return toEndpoint(await prisma.webhookEndpoint.create({ data: endpoint, select: ENDPOINT_FIELDS }));
}

export async function selectEndpoints(prisma: PrismaClient): Promise<EndpointRecord[]> {
  const rows = await prisma.webhookEndpoint.findMany({
    select: ENDPOINT_FIELDS,
    orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
  });
  return rows.map(toEndpoint);
}

export async function selectEndpoint(prisma: PrismaClient, id: string): Promise<EndpointRecord | null> {
  const row = await prisma.webhookEndpoint.findUnique({ where: { id }, select: ENDPOINT_FIELDS });
  return row === null ? null : toEndpoint(row);
}

/** Stops new deliveries to an endpoint (once: disabling again keeps the first time). */
export async function markEndpointDisabled(prisma: PrismaClient, id: string): Promise<EndpointRecord | null> {
  await prisma.webhookEndpoint.updateMany({
    where: { id, active: true },
    data: { active: false, disabledAt: new Date() },
  });
  return selectEndpoint(prisma, id);
}

/** A page of an endpoint's deliveries, newest first, each with its attempts. */
export async function selectDeliveries(
  prisma: PrismaClient,
  endpointId: string,
  options: { after: { createdAt: string; id: string } | null; limit: number },
): Promise<DeliveryRecord[]> {
  const after = options.after;
  const rows = await prisma.webhookDelivery.findMany({
    where: {
      endpointId,
      ...(after === null
        ? {}
        : {
            OR: [
              { createdAt: { lt: new Date(after.createdAt) } },
              { createdAt: new Date(after.createdAt), id: { lt: after.id } },
            ],
          }),
    },
    orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
    take: options.limit,
    include: { attemptLog: { orderBy: { attempt: 'asc' } } },
  });
  return rows.map((d) => ({
    id: d.id,
    endpointId: d.endpointId,
    eventId: d.eventId.toString(),
    eventType: d.eventType as EventType,
    caseId: d.caseId,
    status: d.status as DeliveryRecord['status'],
    attempts: d.attempts,
    lastStatusCode: d.lastStatusCode,
    lastError: d.lastError,
    createdAt: d.createdAt.toISOString(),
    lastAttemptAt: d.lastAttemptAt?.toISOString() ?? null,
    deliveredAt: d.deliveredAt?.toISOString() ?? null,
    attemptLog: d.attemptLog.map((a) => ({
      attempt: a.attempt,
      statusCode: a.statusCode,
      error: a.error,
      durationMs: a.durationMs,
      attemptedAt: a.attemptedAt.toISOString(),
    })),
  }));
}

/**
 * One delivery per active endpoint subscribed to the event's type, and the outbox row that
 * hands each to the webhooks queue, in one statement. The (endpoint, event) key makes an
 * event projected twice fan out once; returns the deliveries created now.
 */
export async function fanOutDeliveries(
  db: pg.Pool | pg.ClientBase,
  event: { id: string; type: string; caseId: string },
): Promise<number> {
  const { rowCount } = await db.query(
    `WITH created AS (
       INSERT INTO webhook_deliveries (id, endpoint_id, event_id, event_type, case_id)
       SELECT gen_random_uuid(), e.id, $1, $2, $3 FROM webhook_endpoints e
       WHERE e.active AND $2 = ANY(e.event_types)
       ON CONFLICT (endpoint_id, event_id) DO NOTHING
       RETURNING id
     )
     INSERT INTO outbox (id, queue, job_name, payload)
     SELECT gen_random_uuid(), 'webhooks', $4, jsonb_build_object('deliveryId', created.id) FROM created`,
    [event.id, event.type, event.caseId, WEBHOOK_JOB],
  );
  return rowCount ?? 0;
}

export type DeliveryWork = {
  id: string;
  status: DeliveryRecord['status'];
  attempts: number;
  /** Its secret sealed, or (stored before secrets were sealed) in plaintext: exactly one is set. */
  endpoint: { id: string; url: string; secret: string | null; secretSealed: string | null; active: boolean };
  event: StoredEvent & { id: string };
};

/** What sending a delivery needs: the endpoint (with its secret) and the event. */
export async function loadDelivery(db: pg.Pool, id: string): Promise<DeliveryWork | null> {
  const { rows } = await db.query<
    EventRow & {
      delivery_status: string;
      delivery_attempts: number;
      endpoint_id: string;
      url: string;
      secret: string | null;
      secret_sealed: string | null;
      active: boolean;
    }
  >(
    `SELECT d.status AS delivery_status, d.attempts AS delivery_attempts, e.id AS endpoint_id, e.url, e.secret,
            e.secret_sealed, e.active, ev.*
     FROM webhook_deliveries d
     JOIN webhook_endpoints e ON e.id = d.endpoint_id
     JOIN events ev ON ev.id = d.event_id
     WHERE d.id = $1`,
    [id],
  );
  const row = rows[0];
  if (row === undefined) return null;
  return {
    id,
    status: row.delivery_status as DeliveryRecord['status'],
    attempts: row.delivery_attempts,
    endpoint: {
      id: row.endpoint_id,
      url: row.url,
      secret: row.secret,
      secretSealed: row.secret_sealed,
      active: row.active,
    },
    event: rowToEvent(row),
  };
}

/**
 * Records one POST and its result in one statement: the attempt row, and the delivery's
 * counters and status (a delivered delivery stays delivered). Returns the attempt number.
 */
export async function recordAttempt(
  db: pg.Pool,
  attempt: {
    deliveryId: string;
    statusCode: number | null;
    error: string | null;
    durationMs: number;
    status: DeliveryRecord['status'];
  },
): Promise<number> {
  const { rows } = await db.query<{ attempt: number }>(
    `WITH d AS (
       UPDATE webhook_deliveries SET
         attempts = attempts + 1, last_status_code = $2, last_error = $3, last_attempt_at = statement_timestamp(),
         status = CASE WHEN status = 'delivered' THEN status ELSE $5 END,
         delivered_at = CASE WHEN $5 = 'delivered' AND delivered_at IS NULL THEN statement_timestamp() ELSE delivered_at END
       WHERE id = $1
       RETURNING attempts
     )
     INSERT INTO webhook_attempts (delivery_id, attempt, status_code, error, duration_ms)
     SELECT $1, attempts, $2, $3, $4 FROM d
     RETURNING attempt`,
    [attempt.deliveryId, attempt.statusCode, attempt.error, Math.round(attempt.durationMs), attempt.status],
  );
  return rows[0]?.attempt ?? 0;
}

/** Gives up on a delivery without POSTing (its endpoint was disabled). */
export async function markDeliveryFailed(db: pg.Pool, id: string, reason: string): Promise<void> {
  await db.query(
    "UPDATE webhook_deliveries SET status = 'failed', last_error = $2 WHERE id = $1 AND status = 'pending'",
    [id, reason],
  );
}

/** Replaces an endpoint's plaintext secret by its sealed form (unless it changed meanwhile). */
export async function storeSealedSecret(db: pg.Pool, id: string, plaintext: string, sealed: string): Promise<void> {
  await db.query('UPDATE webhook_endpoints SET secret_sealed = $2, secret = NULL WHERE id = $1 AND secret = $3', [
    id,
    sealed,
    plaintext,
  ]);
}

/** Seals every secret still stored in plaintext; returns how many. */
export async function sealPlaintextSecrets(
  db: pg.Pool,
  seal: (id: string, plaintext: string) => string,
): Promise<number> {
  const { rows } = await db.query<{ id: string; secret: string }>(
    'SELECT id, secret FROM webhook_endpoints WHERE secret IS NOT NULL',
  );
  for (const row of rows) await storeSealedSecret(db, row.id, row.secret, seal(row.id, row.secret));
  return rows.length;
}
