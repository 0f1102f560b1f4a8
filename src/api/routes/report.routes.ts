import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { periodProblems } from '../../domain/index.ts';
import { summaryReport, type ReportDeps } from '../../app/reports.ts';
import { requireRole } from '../auth.ts';
import { tablesToCsv, tablesToXlsx } from '../http/report-formats.ts';
import { REPORT_LANGUAGES, reportTables } from '../http/report-tables.ts';
import { AUTHENTICATED_PROBLEMS, problemResponses } from '../schemas/common.schemas.ts';

const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

const durations = z.object({ cases: z.int(), medianSeconds: z.number().nullable(), p90Seconds: z.number().nullable() });
const counts = z.record(z.string(), z.int());

const reportSchema = z
  .object({
    period: z.object({
      from: z.iso.date(),
      to: z.iso.date(),
      timeZone: z.string(),
      start: z.iso.datetime().describe('the first instant of from in the time zone'),
      end: z.iso.datetime().describe('the first instant after to'),
    }),
    cases: z.object({ received: z.int(), closed: z.int() }),
    byPlatform: counts.describe('cases received, by platform'),
    byCategory: counts.describe('cases received, by category'),
    byTopic: z.array(z.object({ code: z.string(), name: z.string(), cases: z.int() })).describe('cases received'),
    byOutcome: counts.describe('cases closed, by outcome'),
    byAuthority: z
      .array(z.object({ code: z.string(), name: z.string(), referrals: z.int(), penalties: z.int() }))
      .describe('referrals made and penalties issued, per authority'),
    referrals: z.int(),
    penalties: z.object({
      count: z.int(),
      fines: z.array(z.object({ currency: z.string(), amount: z.number().describe('minor units') })),
      accountsPenalised: z.int().describe('distinct penalty subjects (by their digest)'),
    }),
    appeals: z.object({ filed: z.int(), decided: z.int(), upheld: z.int(), overturned: z.int() }),
    timeliness: z.object({
      toVerdict: durations,
      toReferral: durations,
      toClose: durations,
      sla: z.object({
        visits: z.int().describe('stage visits with a deadline that ended in the period'),
        withinSla: z.int(),
        share: z.number().nullable(),
        breaches: z.int().describe('SLA breaches whose deadline fell in the period'),
        byStage: z.array(z.object({ stage: z.string(), visits: z.int(), withinSla: z.int(), breaches: z.int() })),
      }),
    }),
    verifiers: z.array(
      z.object({
        id: z.uuid(),
        name: z.string().nullable(),
        claimed: z.int(),
        verified: z.int(),
        medianSeconds: z.number().nullable(),
      }),
    ),
  })
  .meta({ id: 'SummaryReport' });

const summaryQuerySchema = z
  .strictObject({
    from: z.iso.date().describe('first day (YYYY-MM-DD in CASETRAIL_TIME_ZONE)'),
    to: z.iso.date().describe('last day, inclusive; at most 5 years after from'),
    format: z.enum(['json', 'csv', 'xlsx']).default('json'),
    lang: z.enum(REPORT_LANGUAGES).default('vi').describe('headings of csv and xlsx'),
  })
  .superRefine((query, ctx) => {
    for (const problem of periodProblems(query.from, query.to)) {
      ctx.addIssue({ code: 'custom', path: [problem.path], message: problem.message });
    }
  });

/** The report for superiors: supervisors only. */
export function reportRoutes(app: FastifyInstance, deps: ReportDeps): void {
  app.withTypeProvider<ZodTypeProvider>().get('/reports/summary', {
    schema: {
      tags: ['reports'],
      summary:
        'Figures of a period of calendar days: cases received and closed, by platform, category, topic, outcome and authority, referrals, penalties and fines, appeals, timeliness, verifiers (JSON, CSV or XLSX)',
      querystring: summaryQuerySchema,
      response: { 200: reportSchema, ...problemResponses([...AUTHENTICATED_PROBLEMS, 403]) },
    },
    preValidation: [requireRole(['supervisor'], 'reading reports')],
    handler: async (request, reply) => {
      const { from, to, format, lang } = request.query;
      const report = await summaryReport(deps, { from, to });
      if (format === 'json') return report;
      const name = `casetrail-report-${from}-${to}.${format}`;
      reply.header('content-disposition', `attachment; filename="${name}"`);
      // Text and bytes are sent as they are: the JSON schema of 200 does not apply to them.
      const tables = reportTables(report, lang);
      if (format === 'csv') return reply.type('text/csv; charset=utf-8').send(tablesToCsv(tables) as never);
      return reply.type(XLSX_TYPE).send((await tablesToXlsx(tables)) as never);
    },
  });
}
