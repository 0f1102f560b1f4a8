import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import { PROBLEMS, type ProblemCode, type Rejection } from '../domain/index.ts';
import { isDatabaseUnavailable } from '../app/database.ts';
import { errorInfo, errorLocation } from '../infra/error-info.ts';
import type { Problem } from './schemas/common.schemas.ts';

const PROBLEM_TYPE_BASE = 'https://casetrail.dev/problems/';
export const PROBLEM_CONTENT_TYPE = 'application/problem+json; charset=utf-8';

export type FieldError = { path: string; message: string };

/** An expected failure raised from a hook or handler; the error handler renders it. */
export class ProblemError extends Error {
  override readonly name = 'ProblemError';
  readonly code: ProblemCode;
  readonly detail: string;
  readonly errors: FieldError[] | undefined;
  readonly headers: Record<string, string>;

  constructor(code: ProblemCode, detail: string, errors?: FieldError[], headers: Record<string, string> = {}) {
    super(detail);
    this.code = code;
    this.detail = detail;
    this.errors = errors;
    this.headers = headers;
  }
}

/** A use case's refusal (a failed result, with the field it concerns), thrown as its problem. */
export type Refusal = {
  ok: false;
  code: 'not_found' | 'forbidden' | 'validation_failed';
  detail: string;
  path?: string;
};

export function refuse(failure: Refusal): never {
  const errors = failure.path === undefined ? undefined : [{ path: failure.path, message: failure.detail }];
  throw new ProblemError(failure.code, failure.detail, errors);
}

export function problemDocument(code: ProblemCode, detail: string, requestId: string, errors?: FieldError[]): Problem {
  const { status, title } = PROBLEMS[code];
  return {
    type: `${PROBLEM_TYPE_BASE}${code}`,
    title,
    status,
    detail,
    code,
    ...(errors === undefined || errors.length === 0 ? {} : { errors }),
    requestId,
  };
}

export function rejectionProblem(rejection: Rejection, requestId: string): Problem {
  return problemDocument(rejection.code, rejection.detail, requestId);
}

/** Sends a problem document as-is (a string body skips the route's response serializers). */
export function sendProblem(reply: FastifyReply, problem: Problem): FastifyReply {
  if (problem.code === 'unauthenticated' && !reply.hasHeader('www-authenticate')) {
    reply.header('www-authenticate', 'Bearer realm="casetrail"');
  }
  return reply
    .code(problem.status)
    .type(PROBLEM_CONTENT_TYPE)
    .send(JSON.stringify(problem) as never);
}

/** Fastify's own error codes and what they mean to a client. */
const FASTIFY_CODES: Record<string, { code: ProblemCode; detail: string }> = {
  FST_ERR_CTP_INVALID_MEDIA_TYPE: { code: 'unsupported_media_type', detail: 'send the body as application/json' },
  FST_ERR_CTP_INVALID_TYPE: { code: 'unsupported_media_type', detail: 'send the body as application/json' },
  FST_ERR_CTP_BODY_TOO_LARGE: { code: 'payload_too_large', detail: 'the body is larger than 1 MiB' },
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: { code: 'validation_failed', detail: 'Content-Length does not match the body' },
  FST_ERR_CTP_EMPTY_JSON_BODY: { code: 'validation_failed', detail: 'the body is empty; send a JSON object' },
  FST_ERR_CTP_INVALID_JSON_BODY: { code: 'validation_failed', detail: 'the body is not valid JSON' },
  FST_ERR_BAD_URL: { code: 'not_found', detail: 'the URL is malformed' },
};

/** `item.url`, `evidence.0.url`; an unknown field is named by its own path. */
function fieldErrors(error: FastifyError): FieldError[] {
  if (!hasZodFastifySchemaValidationErrors(error)) {
    return (error.validation ?? []).map((v) => ({
      path: v.instancePath.split('/').filter(Boolean).join('.'),
      message: v.message ?? 'is invalid',
    }));
  }
  return error.validation.flatMap((issue) => {
    const base = issue.instancePath.split('/').filter(Boolean);
    const keys = (issue.params as { keys?: unknown }).keys;
    if (issue.keyword === 'unrecognized_keys' && Array.isArray(keys)) {
      return keys.map((key) => ({ path: [...base, String(key)].join('.'), message: 'unknown field' }));
    }
    return [{ path: base.join('.'), message: issue.message ?? 'is invalid' }];
  });
}

const PARTS: Record<string, string> = { body: 'body', querystring: 'query string', params: 'path', headers: 'headers' };

function toProblem(error: FastifyError, requestId: string): Problem | null {
  if (error instanceof ProblemError) return problemDocument(error.code, error.detail, requestId, error.errors);
  if (error.validation !== undefined) {
    const part = PARTS[error.validationContext ?? 'body'] ?? 'request';
    return problemDocument('validation_failed', `the request ${part} is not valid`, requestId, fieldErrors(error));
  }
  const known = error.code === undefined ? undefined : FASTIFY_CODES[error.code];
  if (known !== undefined) return problemDocument(known.code, known.detail, requestId);
  // Body-parser errors without a code of their own (a SyntaxError from JSON.parse).
  if (error.statusCode === 400) return problemDocument('validation_failed', 'the request is malformed', requestId);
  return null;
}

/**
 * Every error becomes a problem document. Unexpected ones are logged under the requestId
 * the client gets, with where they were thrown but no stack trace, body or token (a trace
 * repeats the message, and a database error's message can quote what the client sent).
 */
export function registerProblemHandlers(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError, request: FastifyRequest, reply: FastifyReply) => {
    if (error instanceof ProblemError) reply.headers(error.headers);
    const problem = toProblem(error, request.id);
    if (problem !== null) {
      request.log.info({ code: problem.code, status: problem.status }, 'request refused');
      return sendProblem(reply, problem);
    }
    if (isDatabaseUnavailable(error)) {
      // Nothing is wrong with the request: it can be sent again, with the same Idempotency-Key.
      request.log.warn({ err: errorInfo(error) }, 'database unavailable');
      reply.header('retry-after', '1');
      return sendProblem(
        reply,
        problemDocument('unavailable', 'the database is unreachable for a moment; retry the request', request.id),
      );
    }
    request.log.error({ err: { ...errorInfo(error), where: errorLocation(error) } }, 'request failed');
    return sendProblem(
      reply,
      problemDocument('internal', 'an unexpected error occurred; quote the requestId when reporting it', request.id),
    );
  });
  app.setNotFoundHandler((request, reply) =>
    sendProblem(
      reply,
      problemDocument(
        'not_found',
        `no route ${request.method} ${request.url.split('?')[0]?.slice(0, 200)}`,
        request.id,
      ),
    ),
  );
}
