import { randomUUID } from 'node:crypto';
import { STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import type { ProblemCode } from '../domain/index.ts';
import { PROBLEM_CONTENT_TYPE, problemDocument } from './problems.ts';

const ANSWERS: Record<string, { code: ProblemCode; detail: string }> = {
  // Node's request and headers timeouts (a slow or stalled client).
  ERR_HTTP_REQUEST_TIMEOUT: { code: 'request_timeout', detail: 'the request was not received in time' },
  HPE_HEADER_OVERFLOW: { code: 'headers_too_large', detail: 'the request headers are too large' },
};

/**
 * Errors of a connection before any route sees it (Fastify's clientErrorHandler): the
 * answer is a problem document like every other, written to the socket, which then closes.
 */
export function answerClientError(this: FastifyInstance, error: Error & { code?: string }, socket: Duplex): void {
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  const known = error.code === undefined ? undefined : ANSWERS[error.code];
  const { code, detail } = known ?? { code: 'validation_failed', detail: 'the request is not valid HTTP' };
  const requestId = randomUUID();
  const problem = problemDocument(code, detail, requestId);
  this.log.info({ requestId, code, status: problem.status, reason: error.code }, 'connection refused');
  if (socket.writable) {
    const body = JSON.stringify(problem);
    socket.write(
      `HTTP/1.1 ${problem.status} ${STATUS_CODES[problem.status]}\r\n` +
        `content-type: ${PROBLEM_CONTENT_TYPE}\r\ncontent-length: ${Buffer.byteLength(body)}\r\n` +
        `x-content-type-options: nosniff\r\nx-request-id: ${requestId}\r\nconnection: close\r\n\r\n${body}`,
    );
  }
  socket.destroy(error);
}
