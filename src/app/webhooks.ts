import { randomBytes, randomUUID } from 'node:crypto';
import { z } from 'zod';
import { EVENT_TYPES, LIMITS, isHttpUrl, isSafeText, type Actor } from '../domain/index.ts';
import type { PrismaClient } from '../generated/prisma/client.ts';
import {
  insertEndpoint,
  markEndpointDisabled,
  selectDeliveries,
  selectEndpoint,
  selectEndpoints,
  type DeliveryRecord,
  type EndpointRecord,
} from '../infra/db/webhook.repository.ts';
import { sealSecret } from '../infra/secret-box.ts';
import type { TargetPolicy } from '../infra/webhooks/target-policy.ts';
import { cursorKey, decodeCursor, encodeCursor } from './cursor.ts';

export type WebhookDeps = { prisma: PrismaClient; targets: TargetPolicy; secretsKey: Buffer };

/**
 * Where webhooks may go: an absolute http(s) URL with a host, and without credentials
 * (they would sit in the database and in every log line that names the URL).
 */
export function isWebhookUrl(value: string): boolean {
  if (!isHttpUrl(value)) return false;
  const url = new URL(value);
  return url.username === '' && url.password === '';
}

export const newEndpointSchema = z.strictObject({
  url: z
    .string()
    .trim()
    .min(1)
    .max(LIMITS.url)
    .refine(isSafeText, 'must not contain NUL characters or lone surrogates')
    .refine(isWebhookUrl, 'must be an absolute http or https URL without user name or password')
    .describe('where events are POSTed; http or https only'),
  eventTypes: z
    .array(z.enum(EVENT_TYPES))
    .min(1)
    .max(EVENT_TYPES.length)
    .refine((types) => new Set(types).size === types.length, 'event types must be unique')
    .describe('the event types to receive'),
  secret: z
    .string()
    .min(24, 'at least 24 characters')
    .max(256)
    .regex(/^[\x21-\x7E]+$/u, 'visible ASCII characters only')
    .optional()
    .describe('HMAC-SHA256 key of the X-Casetrail-Signature header; generated when absent'),
  description: z
    .string()
    .trim()
    .min(1)
    .max(200)
    .refine(isSafeText, 'must not contain NUL characters or lone surrogates')
    .optional(),
});
export type NewEndpoint = z.output<typeof newEndpointSchema>;

/** The endpoint and its secret, shown once: later reads never include the secret. */
export type RegisteredEndpoint = EndpointRecord & { secret: string };

/**
 * Registers an endpoint whose host the target policy allows: an address literal in any
 * notation (`new URL` has normalized it) must be a public one or in an allowed CIDR. A name
 * is checked again on every connection, against what it resolves to then.
 */
export async function registerEndpoint(
  deps: WebhookDeps,
  actor: Actor,
  input: NewEndpoint,
): Promise<
  { ok: true; endpoint: RegisteredEndpoint } | { ok: false; code: 'validation_failed'; detail: string; path: 'url' }
> {
  const target = deps.targets.checkHost(new URL(input.url).hostname);
  if (!target.ok) {
    return {
      ok: false,
      code: 'validation_failed',
      detail: `the receiver is not allowed: ${target.reason}`,
      path: 'url',
    };
  }
  const secret = input.secret ?? `whsec_${randomBytes(32).toString('base64url')}`;
  const id = randomUUID();
  const endpoint = await insertEndpoint(deps.prisma, {
    id,
    url: input.url,
    eventTypes: input.eventTypes,
    secretSealed: sealSecret(deps.secretsKey, secret, id),
    description: input.description ?? null,
    createdBy: actor.id,
  });
  return { ok: true, endpoint: { ...endpoint, secret } };
}

type NotFound = { ok: false; code: 'not_found'; detail: string };
const notFound = (id: string): NotFound => ({ ok: false, code: 'not_found', detail: `no webhook endpoint ${id}` });

export function listEndpoints(deps: WebhookDeps): Promise<EndpointRecord[]> {
  return selectEndpoints(deps.prisma);
}

export async function getEndpoint(
  deps: WebhookDeps,
  id: string,
): Promise<{ ok: true; endpoint: EndpointRecord } | NotFound> {
  const endpoint = await selectEndpoint(deps.prisma, id);
  return endpoint === null ? notFound(id) : { ok: true, endpoint };
}

/** Disables an endpoint: no new deliveries, pending ones are given up; history is kept. */
export async function disableEndpoint(
  deps: WebhookDeps,
  id: string,
): Promise<{ ok: true; endpoint: EndpointRecord } | NotFound> {
  const endpoint = await markEndpointDisabled(deps.prisma, id);
  return endpoint === null ? notFound(id) : { ok: true, endpoint };
}

const deliveryCursor = z.tuple([cursorKey.timestamp, cursorKey.uuid]);

export async function listDeliveries(
  deps: WebhookDeps,
  endpointId: string,
  query: { limit?: number; cursor?: string },
): Promise<
  | { ok: true; items: DeliveryRecord[]; nextCursor: string | null }
  | NotFound
  | { ok: false; code: 'validation_failed'; detail: string; path: 'cursor' }
> {
  if ((await selectEndpoint(deps.prisma, endpointId)) === null) return notFound(endpointId);
  const after = query.cursor === undefined ? null : decodeCursor(query.cursor, deliveryCursor);
  if (after === undefined)
    return { ok: false, code: 'validation_failed', detail: 'the cursor is not one this API issued', path: 'cursor' };
  const limit = query.limit ?? 50;
  const rows = await selectDeliveries(deps.prisma, endpointId, {
    after: after === null ? null : { createdAt: after[0], id: after[1] },
    limit: limit + 1,
  });
  const items = rows.slice(0, limit);
  const last = items.at(-1);
  return {
    ok: true,
    items,
    nextCursor: rows.length > limit && last !== undefined ? encodeCursor([last.createdAt, last.id]) : null,
  };
}
