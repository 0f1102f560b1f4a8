import multipart from '@fastify/multipart';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { MEDIA_TYPES, uploadFieldsSchema, type Actor } from '../../domain/index.ts';
import {
  attachFile,
  checkUpload,
  discardFile,
  receiveFile,
  type AttachFileDeps,
  type ReceivedFile,
} from '../../app/attach-file.ts';
import { awaitCommand, type AwaitCommandDeps } from '../../app/await-command.ts';
import { fileThumbnail, findCaseFile, listCaseFiles, readCaseFile } from '../../app/case-files.ts';
import { actorOf, requireRole } from '../auth.ts';
import { parseRange } from '../http/byte-range.ts';
import { watchProgress } from '../http/request-deadline.ts';
import { presentAccepted, presentCase } from '../presenters/case.presenter.ts';
import { ProblemError, rejectionProblem, sendProblem } from '../problems.ts';
import { acceptedSchema, caseSchema, fileSchema } from '../schemas/case.schemas.ts';
import {
  AUTHENTICATED_PROBLEMS,
  commandHeadersSchema,
  idParamsSchema,
  problemResponses,
  purposeSchema,
} from '../schemas/common.schemas.ts';

export type FileRouteDeps = AttachFileDeps &
  AwaitCommandDeps & {
    waitTimeoutMs: number;
    /** An upload must send MIN_PROGRESS_BYTES in every such period (the API's request timeout). */
    progressWindowMs: number;
  };

/** What an upload must send in each progress window: a stalled or trickling one is cut off (408). */
const MIN_PROGRESS_BYTES = 64 * 1024;

const fileParamsSchema = z.strictObject({ id: z.uuid(), fileId: z.uuid() });
const waitQuerySchema = z.strictObject({
  wait: z.enum(['true', 'false']).optional().describe('true: wait up to 10 s for a worker to apply the command'),
});

const UPLOAD_ROLES = ['clerk', 'verifier', 'supervisor'] as const;

/**
 * Evidence files (docs/design.md §10). The upload is the one route that takes
 * multipart/form-data, and only that: the multipart parser lives in this scope alone.
 */
export async function fileRoutes(app: FastifyInstance, deps: FileRouteDeps): Promise<void> {
  await app.register(async (scope) => {
    await scope.register(multipart, {
      limits: {
        // One byte over the cap reaches the inspector, which refuses it (413).
        fileSize: deps.maxBytes + 1,
        files: 1,
        fields: 4,
        fieldSize: 8 * 1024,
        parts: 6,
        headerPairs: 50,
      },
    });
    uploadRoute(scope, deps);
  });
  readRoutes(app, deps);
}

function uploadRoute(scope: FastifyInstance, deps: FileRouteDeps): void {
  scope.withTypeProvider<ZodTypeProvider>().post('/cases/:id/files', {
    schema: {
      tags: ['files'],
      summary:
        'Upload an evidence file (multipart/form-data: optional fields kind and description, then one part named file); accepted as an attach-file command',
      operationId: 'attach-file',
      params: idParamsSchema,
      querystring: waitQuerySchema,
      headers: commandHeadersSchema,
      response: {
        200: caseSchema.describe('with ?wait=true: the case after the command'),
        202: acceptedSchema.describe('accepted; Location names the command'),
        ...problemResponses([...AUTHENTICATED_PROBLEMS, 403, 404, 409, 413, 415, 422]),
      },
    },
    config: { streamedBody: true },
    onRequest: async (request) => {
      if (!String(request.headers['content-type'] ?? '').startsWith('multipart/form-data')) {
        throw new ProblemError('unsupported_media_type', 'send the file as multipart/form-data');
      }
    },
    preValidation: [requireRole(UPLOAD_ROLES, 'attaching a file')],
    handler: async (request, reply) => {
      const actor = actorOf(request);
      const caseId = request.params.id;
      // Decided before a byte of the body is read: a case the caller may not touch stores nothing.
      const allowed = await checkUpload(deps, actor, caseId);
      if (!allowed.ok) return refuseUpload(reply, allowed.code, allowed.detail);
      return receive(deps, request, reply, actor, caseId);
    },
  });
}

/** Refuses while the client may still be sending: the connection closes after the answer. */
function refuseUpload(reply: FastifyReply, code: ConstructorParameters<typeof ProblemError>[0], detail: string): never {
  reply.header('connection', 'close');
  throw new ProblemError(code, detail);
}

async function receive(
  deps: FileRouteDeps,
  request: FastifyRequest,
  reply: FastifyReply,
  actor: Actor,
  caseId: string,
): Promise<FastifyReply> {
  const fields: Record<string, string> = {};
  let received: ReceivedFile | null = null;
  let filename: string | undefined;
  const stopWatching = watchProgress(request, deps.progressWindowMs, MIN_PROGRESS_BYTES);
  try {
    for await (const part of request.parts()) {
      if (received !== null) return refuseUpload(reply, 'validation_failed', 'the file must be the last part');
      if (part.type === 'field') {
        if (part.fieldname in fields) return refuseUpload(reply, 'validation_failed', `field ${part.fieldname} twice`);
        fields[part.fieldname] = String(part.value);
        continue;
      }
      if (part.fieldname !== 'file') {
        part.file.resume();
        return refuseUpload(reply, 'validation_failed', 'the file part must be named file');
      }
      const parsed = uploadFieldsSchema.safeParse(fields);
      if (!parsed.success) {
        part.file.resume();
        const errors = parsed.error.issues.map((issue) => ({
          path: issue.path.join('.') || String((issue as { keys?: string[] }).keys?.[0] ?? ''),
          message: issue.code === 'unrecognized_keys' ? 'unknown field' : issue.message,
        }));
        reply.header('connection', 'close');
        throw new ProblemError('validation_failed', 'the upload fields are not valid', errors);
      }
      const result = await receiveFile(deps, part.file);
      if (!result.ok) return refuseUpload(reply, result.code, result.detail);
      received = result.file;
      filename = part.filename;
    }
  } catch (error) {
    if (received !== null) await discardFile(deps, received).catch(() => undefined);
    if (error instanceof ProblemError) throw error;
    throw uploadError(error);
  } finally {
    stopWatching();
  }
  if (received === null) throw new ProblemError('validation_failed', 'no part named file');
  const file = received;
  const idempotencyKey = (request.headers as { 'idempotency-key'?: string })['idempotency-key'];
  const parsed = uploadFieldsSchema.parse(fields);
  const result = await attachFile(deps, actor, caseId, file, {
    fields: parsed,
    ...(filename === undefined ? {} : { filename }),
    ...(idempotencyKey === undefined ? {} : { idempotencyKey }),
  });
  if (!result.ok) throw new ProblemError(result.code, result.detail);
  reply.header('location', `/v1/commands/${result.commandId}`);
  if ((request.query as { wait?: string }).wait === 'true') {
    const outcome = await awaitCommand(deps, actor, result.commandId, deps.waitTimeoutMs, {
      justStored: !result.replayed,
    });
    if (outcome.status === 'rejected') return sendProblem(reply, rejectionProblem(outcome.problem, request.id));
    if (outcome.status === 'applied' && outcome.view !== null) return reply.code(200).send(presentCase(outcome.view));
  }
  return reply.code(202).send(presentAccepted(result));
}

/** What a broken multipart body or a cut-off upload means to the client. */
function uploadError(error: unknown): Error {
  const code = (error as { code?: string }).code;
  if (code === 'FST_FILES_LIMIT' || code === 'FST_PARTS_LIMIT' || code === 'FST_FIELDS_LIMIT') {
    return new ProblemError('validation_failed', 'send one file and at most the fields kind and description');
  }
  if (code === 'FST_REQ_FILE_TOO_LARGE') return new ProblemError('payload_too_large', 'the file is too large');
  if (code === 'FST_PROTO_VIOLATION' || code === 'FST_INVALID_MULTIPART_CONTENT_TYPE') {
    return new ProblemError('validation_failed', 'the multipart body is malformed');
  }
  return error instanceof Error ? error : new Error(String(error));
}

function readRoutes(app: FastifyInstance, deps: FileRouteDeps): void {
  const typed = app.withTypeProvider<ZodTypeProvider>();

  typed.get('/cases/:id/files', {
    schema: {
      tags: ['files'],
      summary: 'The evidence files of a case, in the order attached (whoever may see the case)',
      params: idParamsSchema,
      response: {
        200: z.object({ items: z.array(fileSchema) }),
        ...problemResponses([...AUTHENTICATED_PROBLEMS, 404]),
      },
    },
    handler: async (request) => {
      const result = await listCaseFiles(deps, actorOf(request), request.params.id);
      if (!result.ok) throw new ProblemError(result.code, result.detail);
      return { items: result.items };
    },
  });

  typed.get('/cases/:id/files/:fileId', {
    schema: {
      tags: ['files'],
      summary:
        'The bytes of a file, as an attachment of its detected type; ETag is its SHA-256; one HTTP Range (206, 416); every download is access-logged',
      params: fileParamsSchema,
      querystring: z.strictObject({ purpose: purposeSchema.optional() }),
      response: problemResponses([...AUTHENTICATED_PROBLEMS, 404, 410, 416]),
    },
    // The bytes as stored: their length, their ETag (the SHA-256) and their ranges hold.
    compress: false,
    handler: async (request, reply) => {
      const actor = actorOf(request);
      const found = await findCaseFile(deps, actor, request.params.id, request.params.fileId);
      if (!found.ok) throw new ProblemError(found.code, found.detail);
      const { file } = found;
      const etag = `"${file.sha256}"`;
      reply.header('etag', etag);
      reply.header('accept-ranges', 'bytes');
      reply.header('x-content-type-options', 'nosniff');
      reply.header('content-security-policy', "default-src 'none'; sandbox");
      const ext = MEDIA_TYPES[file.mediaType].ext;
      reply.header('content-disposition', `attachment; filename="casetrail-${file.id}.${ext}"`);
      if (request.headers['if-none-match'] === etag) return reply.code(304).send();
      const ifRange = request.headers['if-range'];
      const range =
        ifRange === undefined || ifRange === etag
          ? parseRange(request.headers.range, file.size)
          : { kind: 'whole' as const };
      if (range.kind === 'unsatisfiable') {
        reply.header('content-range', `bytes */${file.size}`);
        throw new ProblemError('range_not_satisfiable', `the file has ${file.size} bytes`);
      }
      const read = await readCaseFile(deps, actor, file, {
        ...(range.kind === 'range' ? { range: { start: range.start, end: range.end } } : {}),
        ...(request.query.purpose === undefined ? {} : { purpose: request.query.purpose }),
      });
      if (!read.ok) throw new ProblemError(read.code, read.detail);
      reply.type(file.mediaType === 'text/plain' ? 'text/plain; charset=utf-8' : file.mediaType);
      if (range.kind === 'range') {
        reply.code(206);
        reply.header('content-range', `bytes ${range.start}-${range.end}/${file.size}`);
        reply.header('content-length', String(range.end - range.start + 1));
      } else {
        reply.header('content-length', String(file.size));
      }
      // A stream is sent as it is: no response schema applies to it.
      return reply.send(read.body as never);
    },
  });

  typed.get('/cases/:id/files/:fileId/thumbnail', {
    schema: {
      tags: ['files'],
      summary: 'A small WebP of an image file (at most 320 pixels a side)',
      params: fileParamsSchema,
      response: problemResponses([...AUTHENTICATED_PROBLEMS, 404, 410]),
    },
    handler: async (request, reply) => {
      const result = await fileThumbnail(deps, actorOf(request), request.params.id, request.params.fileId);
      if (!result.ok) throw new ProblemError(result.code, result.detail);
      reply.header('x-content-type-options', 'nosniff');
      return reply.type('image/webp').send(Buffer.from(result.webp) as never);
    },
  });
}
