import type { KeyObject } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { erasureSchema } from '../../domain/index.ts';
import { auditVerify, listAccessLog, listCheckpoints, publicKeyInfo } from '../../app/audit-queries.ts';
import type { DatabasePool } from '../../app/database.ts';
import { erasePersonalData } from '../../app/erase-personal-data.ts';
import { exportCase, exportCaseArchive } from '../../app/export-case.ts';
import { BARRIER_TIMEOUT_MS, type SealPolicy } from '../../app/seal-checkpoint.ts';
import type { FileStore } from '../../infra/files/file-store.ts';
import type { Logger } from '../../infra/logger.ts';
import { actorOf, requireRole } from '../auth.ts';
import { ProblemError, refuse } from '../problems.ts';
import {
  accessLogEntrySchema,
  bundleResponseSchema,
  checkpointSchema,
  erasureResultSchema,
  publicKeySchema,
  trailReportSchema,
} from '../schemas/audit.schemas.ts';
import {
  AUTHENTICATED_PROBLEMS,
  cursorSchema,
  idParamsSchema,
  limitSchema,
  pageSchema,
  problemResponses,
  purposeSchema,
} from '../schemas/common.schemas.ts';

/** The checkpoint key and how an export seals what is still unsealed. */
export type AuditKeys = { signingKey: KeyObject; publicKey: KeyObject; sealPolicy?: SealPolicy };

export type AuditRouteDeps = {
  pool: DatabasePool;
  log: Logger;
  audit: AuditKeys;
  /** The evidence file store: erasure deletes bytes from it, and ?files=true exports them. */
  store?: FileStore;
};

const DEFAULT_SEAL_POLICY: SealPolicy = { maxEvents: 1000, maxAgeMs: 30_000, barrierTimeoutMs: BARRIER_TIMEOUT_MS };

const SUPERVISOR_ONLY = (action: string) => [requireRole(['supervisor'], action)];

/** docs/design.md §4: export, verification, checkpoints, the public key, the access log and erasure. */
export function auditRoutes(app: FastifyInstance, deps: AuditRouteDeps): void {
  const typed = app.withTypeProvider<ZodTypeProvider>();
  const queries = { pool: deps.pool, publicKey: deps.audit.publicKey };
  const exportDeps = {
    pool: deps.pool,
    log: deps.log,
    signingKey: deps.audit.signingKey,
    publicKey: deps.audit.publicKey,
    sealPolicy: deps.audit.sealPolicy ?? DEFAULT_SEAL_POLICY,
  };

  typed.get('/cases/:id/export', {
    schema: {
      tags: ['audit'],
      summary:
        'A self-contained, signed bundle of the case that `casetrail audit verify --bundle` checks offline (supervisor; access-logged)',
      params: idParamsSchema,
      querystring: z.strictObject({
        purpose: purposeSchema.optional(),
        files: z
          .enum(['true', 'false'])
          .optional()
          .describe('true: a zip of bundle.json and files/<sha256>, every file of the case that is not erased'),
      }),
      response: { 200: bundleResponseSchema, ...problemResponses([...AUTHENTICATED_PROBLEMS, 403, 404]) },
    },
    preValidation: SUPERVISOR_ONLY('exporting a case'),
    handler: async (request, reply) => {
      const { files, ...query } = request.query;
      if (files === 'true') {
        const store = deps.store;
        if (store === undefined) throw new ProblemError('not_found', 'this server keeps no files');
        const archived = await exportCaseArchive({ ...exportDeps, store }, actorOf(request), request.params.id, query);
        if (!archived.ok) refuse(archived);
        const reference = String(archived.bundle.case.reference).replace(/[^A-Za-z0-9-]/gu, '');
        reply.header('content-disposition', `attachment; filename="${reference}.casetrail-bundle.zip"`);
        reply.header('x-content-type-options', 'nosniff');
        // A stream is sent as it is: the JSON schema of 200 does not apply to it.
        return reply.type('application/zip').send(archived.archive as never);
      }
      const result = await exportCase(exportDeps, actorOf(request), request.params.id, query);
      if (!result.ok) refuse(result);
      const reference = String(result.bundle.case.reference).replace(/[^A-Za-z0-9-]/gu, '');
      reply.header('content-disposition', `attachment; filename="${reference}.casetrail-bundle.json"`);
      return result.bundle;
    },
  });

  typed.get('/audit/verify', {
    schema: {
      tags: ['audit'],
      summary:
        "Recompute every chain, case row and checkpoint (or one case's); 200 with ok=false and the breaks when something does not hold (supervisor)",
      querystring: z.strictObject({ caseId: z.uuid().optional() }),
      response: { 200: trailReportSchema, ...problemResponses([...AUTHENTICATED_PROBLEMS, 403, 404]) },
    },
    preValidation: SUPERVISOR_ONLY('verifying the audit trail'),
    handler: async (request) => {
      const result = await auditVerify(queries, actorOf(request), request.query);
      if (!result.ok) refuse(result);
      return result.report;
    },
  });

  typed.get('/audit/checkpoints', {
    schema: {
      tags: ['audit'],
      summary: 'Signed checkpoints, newest first (supervisor)',
      querystring: z.strictObject({
        limit: limitSchema.optional().describe('1-200, default 50'),
        cursor: cursorSchema.optional(),
      }),
      response: { 200: pageSchema(checkpointSchema), ...problemResponses([...AUTHENTICATED_PROBLEMS, 403]) },
    },
    preValidation: SUPERVISOR_ONLY('reading checkpoints'),
    handler: async (request) => {
      const result = await listCheckpoints(queries, actorOf(request), request.query);
      if (!result.ok) refuse(result);
      return { items: result.items, nextCursor: result.nextCursor };
    },
  });

  typed.get('/audit/public-key', {
    schema: {
      tags: ['audit'],
      summary: 'The Ed25519 public key of checkpoints and bundles, to pin when verifying a bundle (any role)',
      response: { 200: publicKeySchema, ...problemResponses(AUTHENTICATED_PROBLEMS) },
    },
    handler: async () => publicKeyInfo(queries),
  });

  typed.get('/audit/access-log', {
    schema: {
      tags: ['audit'],
      summary: 'Who read which case, its events or its export, when and why; newest first (supervisor)',
      querystring: z.strictObject({
        caseId: z.uuid().optional(),
        actorId: z.uuid().optional(),
        from: z.iso.datetime({ offset: true }).optional().describe('entries at or after this time'),
        to: z.iso.datetime({ offset: true }).optional().describe('entries before this time'),
        limit: limitSchema.optional().describe('1-200, default 50'),
        cursor: cursorSchema.optional(),
      }),
      response: { 200: pageSchema(accessLogEntrySchema), ...problemResponses([...AUTHENTICATED_PROBLEMS, 403]) },
    },
    preValidation: SUPERVISOR_ONLY('reading the access log'),
    handler: async (request) => {
      const result = await listAccessLog(queries, actorOf(request), request.query);
      if (!result.ok) refuse(result);
      return { items: result.items, nextCursor: result.nextCursor };
    },
  });

  typed.post('/cases/:id/personal-data/erase', {
    schema: {
      tags: ['audit'],
      summary:
        'Erase the personal data of the case and of every other case of the same item, or with references only those values of the case (a redaction), and record why in each trail; chains and checkpoints stay verifiable (admin)',
      params: idParamsSchema,
      body: erasureSchema,
      response: { 200: erasureResultSchema, ...problemResponses([...AUTHENTICATED_PROBLEMS, 403, 404, 413, 415]) },
    },
    preValidation: [requireRole(['admin'], 'erasing personal data')],
    handler: async (request) => {
      const result = await erasePersonalData(deps, actorOf(request), {
        caseId: request.params.id,
        reason: request.body.reason,
        ...(request.body.references === undefined ? {} : { references: request.body.references }),
      });
      if (!result.ok) refuse(result);
      return {
        caseId: result.caseId,
        erased: result.fields,
        event: result.event,
        otherCases: result.otherCases,
        objectsDeleted: result.objectsDeleted,
      };
    },
  });
}
