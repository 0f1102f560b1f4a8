import { z } from 'zod';
import { PROBLEMS, isSafeText, type ProblemCode } from '../../domain/index.ts';

// Schemas every route shares. Response schemas hold no transforms: the serializer encodes
// through them, and they double as a filter (a field not listed is never sent).

const CODES = Object.keys(PROBLEMS) as [ProblemCode, ...ProblemCode[]];

export const problemSchema = z
  .object({
    type: z.string().describe('https://casetrail.dev/problems/<code>'),
    title: z.string(),
    status: z.int(),
    detail: z.string(),
    code: z.enum(CODES),
    errors: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
    requestId: z.string().describe('also in the server log line of this request'),
  })
  .meta({ id: 'Problem', description: 'RFC 9457 problem document' });
export type Problem = z.output<typeof problemSchema>;

const STATUS_DESCRIPTIONS: Record<number, string> = {
  400: 'Validation failed (body, query, path or header)',
  401: 'No, malformed, unknown or revoked token',
  403: "The caller's roles may not do this",
  404: 'No such resource, or not visible to the caller',
  409: "Conflict with the case's stage, version, claim or a decision number, or a user name taken",
  413: 'Body over 1 MiB',
  415: 'Body not application/json',
  422: 'A guard failed, or an Idempotency-Key was reused with another body',
  429: 'Rate limited; see Retry-After',
  500: 'Internal error',
  503: 'The database is unreachable for a moment (restart, failover); retry after Retry-After with the same Idempotency-Key',
};

/** OpenAPI entries for the problem answers a route can give. */
export function problemResponses(statuses: readonly number[]) {
  return Object.fromEntries(
    statuses.map((status) => [
      status,
      {
        description: STATUS_DESCRIPTIONS[status] ?? 'Problem',
        content: { 'application/problem+json': { schema: problemSchema } },
      },
    ]),
  );
}

/** Every authenticated route can answer these. */
export const AUTHENTICATED_PROBLEMS = [400, 401, 429, 500, 503] as const;

export const idParamsSchema = z.strictObject({ id: z.uuid() });

export const limitSchema = z.coerce.number().int().min(1).max(200);
export const cursorSchema = z
  .string()
  .min(1)
  .max(512)
  .regex(/^[A-Za-z0-9_-]+$/u, 'is not a cursor this API issued')
  .describe('opaque: the nextCursor of the previous page');
export const purposeSchema = z
  .string()
  .trim()
  .min(1)
  .max(200)
  .refine(isSafeText, 'must not contain NUL characters or lone surrogates')
  .describe('why a supervisor reads the case (access log)');

/** Idempotency-Key and the other headers (headers are validated loosely: clients send many). */
export const commandHeadersSchema = z.looseObject({
  'idempotency-key': z
    .string()
    .regex(/^[\x21-\x7E]{1,200}$/u, 'must be 1-200 visible ASCII characters')
    .optional()
    .describe('same key and body: the same command, stored once'),
});

export function pageSchema<T extends z.ZodType>(item: T) {
  return z.object({ items: z.array(item), nextCursor: z.string().nullable() });
}
