import { createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import {
  ImportFileError,
  importCases,
  importTemplateCsv,
  importTemplateXlsx,
  type ImportDeps,
} from '../../app/import-cases.ts';
import { actorOf, requireRole } from '../auth.ts';
import { ProblemError } from '../problems.ts';
import { AUTHENTICATED_PROBLEMS, problemResponses } from '../schemas/common.schemas.ts';

export type ImportRouteDeps = ImportDeps & { maxBytes: number };

const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
const FILE_TYPES = ['text/csv', XLSX, 'application/octet-stream'];

const importQuerySchema = z.strictObject({
  skipInvalid: z.enum(['true', 'false']).optional().describe('true: import the valid rows and list the others'),
  encoding: z
    .string()
    .regex(/^[A-Za-z0-9-]{1,40}$/u)
    .optional()
    .describe('of a CSV file not in UTF-8 or UTF-16 with a byte order mark, e.g. windows-1258'),
  timeZone: z
    .string()
    .max(64)
    .refine(isTimeZone, 'must be an IANA time zone, e.g. Asia/Ho_Chi_Minh')
    .optional()
    .describe('of dates without an offset; default Asia/Ho_Chi_Minh'),
});

function isTimeZone(name: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: name });
    return true;
  } catch {
    return false;
  }
}

const rejectSchema = z.object({
  row: z.int(),
  column: z.string().nullable(),
  reason: z.string(),
  cells: z.record(z.string(), z.string()).describe('the row as the file gave it'),
});

const summarySchema = z
  .object({
    status: z.enum(['imported', 'refused']),
    rows: z.int(),
    imported: z.int().describe('new cases'),
    unchanged: z.int().describe('rows imported before: left as they are'),
    rejected: z.int().describe('rows not imported'),
    events: z.int(),
    rejects: z.array(rejectSchema),
  })
  .meta({ id: 'ImportSummary' });

/** Import of past cases (docs/design.md §15): supervisors only. */
export async function importRoutes(app: FastifyInstance, deps: ImportRouteDeps): Promise<void> {
  const typed = app.withTypeProvider<ZodTypeProvider>();
  typed.get('/imports/template', {
    schema: {
      tags: ['imports'],
      summary: 'The import template: the columns casetrail reads and an example row (CSV or XLSX)',
      querystring: z.strictObject({ format: z.enum(['csv', 'xlsx']).optional() }),
      response: problemResponses([...AUTHENTICATED_PROBLEMS, 403]),
    },
    preValidation: [requireRole(['supervisor'], 'the import template')],
    handler: async (request, reply) => {
      if (request.query.format === 'xlsx') {
        reply.header('content-disposition', 'attachment; filename="casetrail-import.xlsx"').type(XLSX);
        return reply.send((await importTemplateXlsx()) as never);
      }
      reply
        .header('content-disposition', 'attachment; filename="casetrail-import.csv"')
        .type('text/csv; charset=utf-8');
      return reply.send(importTemplateCsv() as never);
    },
  });

  await app.register(async (scope) => {
    scope.addContentTypeParser(FILE_TYPES, (_request, payload, done) => done(null, payload));
    scope.withTypeProvider<ZodTypeProvider>().post('/imports', {
      schema: {
        tags: ['imports'],
        summary:
          'Import past cases from a CSV or XLSX file (the body; Content-Type text/csv or the XLSX type): whole or not at all unless skipInvalid',
        querystring: importQuerySchema,
        response: { 200: summarySchema, ...problemResponses([...AUTHENTICATED_PROBLEMS, 403, 413, 415]) },
      },
      config: { streamedBody: true },
      preValidation: [requireRole(['supervisor'], 'importing cases')],
      handler: async (request) => {
        const body = request.body as Readable | undefined;
        if (body === undefined || typeof (body as Readable).pipe !== 'function') {
          throw new ProblemError('unsupported_media_type', 'send the file as text/csv or as an XLSX workbook');
        }
        const dir = await mkdtemp(path.join(tmpdir(), 'casetrail-import-'));
        try {
          const file = path.join(dir, 'upload');
          await pipeline(body, limit(deps.maxBytes), createWriteStream(file));
          // The upload is in; checking and writing a large file may take minutes with no
          // byte either way, which the server's idle timeout would take for a dead client.
          request.raw.socket.setTimeout(0);
          const { skipInvalid, encoding, timeZone } = request.query;
          const summary = await importCases(deps, file, {
            actor: actorOf(request),
            skipInvalid: skipInvalid === 'true',
            ...(encoding === undefined ? {} : { encoding }),
            ...(timeZone === undefined ? {} : { timeZone }),
          }).catch((error: unknown) => {
            if (error instanceof ImportFileError) {
              throw new ProblemError('validation_failed', error.message, [{ path: 'file', message: error.message }]);
            }
            throw error;
          });
          if (summary.status === 'refused') {
            throw new ProblemError(
              'validation_failed',
              `${summary.rejected} of ${summary.rows} rows are not valid: nothing was imported`,
              summary.rejects
                .slice(0, 1000)
                .map((r) => ({ path: `row ${r.row}${r.column ? `, ${r.column}` : ''}`, message: r.reason })),
            );
          }
          return summary;
        } finally {
          await rm(dir, { recursive: true, force: true });
        }
      },
    });
  });
}

function limit(maxBytes: number): Transform {
  let seen = 0;
  return new Transform({
    transform(chunk: Buffer, _encoding, done) {
      seen += chunk.length;
      if (seen > maxBytes)
        return done(new ProblemError('payload_too_large', `an import file may hold ${maxBytes} bytes`));
      done(null, chunk);
    },
  });
}
