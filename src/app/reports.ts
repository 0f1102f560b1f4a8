import type pg from 'pg';
import { CATEGORIES, DEFAULT_TIME_ZONE, OPEN_STAGES, OUTCOMES, PLATFORMS } from '../domain/index.ts';
import {
  appealFigures,
  authorityAndPenaltyFigures,
  closureFigures,
  periodBounds,
  receivedFigures,
  slaFigures,
  topicNames,
  verifierFigures,
  type AuthorityRow,
  type Counted,
  type Durations,
  type VerifierRow,
} from '../infra/db/report.repository.ts';

// The report for superiors (docs/design.md §11): what was received, verified, referred and
// penalised in a period of calendar days, on which platforms, about which topics, how fast.
// Business dates place a case in the period (a report's receivedAt, a penalty's issuedAt, an
// appeal's filedAt); event times where there are none.

export type ReportDeps = { pool: pg.Pool; timeZone?: string };

export type SummaryReport = {
  period: { from: string; to: string; timeZone: string; start: string; end: string };
  cases: { received: number; closed: number };
  byPlatform: Record<string, number>;
  byCategory: Record<string, number>;
  byTopic: { code: string; name: string; cases: number }[];
  byOutcome: Record<string, number>;
  byAuthority: AuthorityRow[];
  referrals: number;
  penalties: { count: number; fines: { currency: string; amount: number }[]; accountsPenalised: number };
  appeals: { filed: number; decided: number; upheld: number; overturned: number };
  timeliness: {
    toVerdict: Durations;
    toReferral: Durations;
    toClose: Durations;
    sla: {
      visits: number;
      withinSla: number;
      /** withinSla / visits, null when no visit ended. */
      share: number | null;
      breaches: number;
      byStage: { stage: string; visits: number; withinSla: number; breaches: number }[];
    };
  };
  verifiers: VerifierRow[];
};

/** Every key of the table, zero where nothing was counted, in the table's order. */
function tally(keys: readonly string[], rows: readonly Counted[]): Record<string, number> {
  return Object.fromEntries(keys.map((key) => [key, rows.find((r) => r.key === key)?.n ?? 0]));
}

const sum = (rows: readonly { n: number }[]) => rows.reduce((total, r) => total + r.n, 0);

export async function summaryReport(deps: ReportDeps, query: { from: string; to: string }): Promise<SummaryReport> {
  const timeZone = deps.timeZone ?? DEFAULT_TIME_ZONE;
  const p = await periodBounds(deps.pool, query.from, query.to, timeZone);
  const [received, closure, { authorities, penalties }, appeals, sla, verifiers] = await Promise.all([
    receivedFigures(deps.pool, p),
    closureFigures(deps.pool, p),
    authorityAndPenaltyFigures(deps.pool, p),
    appealFigures(deps.pool, p),
    slaFigures(deps.pool, p),
    verifierFigures(deps.pool, p),
  ]);
  const names = await topicNames(
    deps.pool,
    received.byTopic.map((t) => t.key),
  );
  const stages = OPEN_STAGES.map((stage) => {
    const row = sla.find((r) => r.stage === stage);
    return { stage, visits: row?.visits ?? 0, withinSla: row?.within ?? 0, breaches: row?.breaches ?? 0 };
  });
  const visits = stages.reduce((n, s) => n + s.visits, 0);
  const withinSla = stages.reduce((n, s) => n + s.withinSla, 0);
  const decided = tally(['upheld', 'overturned'], appeals.decided);
  return {
    period: { from: query.from, to: query.to, timeZone, start: p.start.toISOString(), end: p.end.toISOString() },
    cases: { received: sum(received.byPlatform), closed: sum(closure.byOutcome) },
    byPlatform: tally(PLATFORMS, received.byPlatform),
    byCategory: tally(CATEGORIES, received.byCategory),
    byTopic: received.byTopic
      .map((t) => ({ code: t.key, name: names.get(t.key) ?? t.key, cases: t.n }))
      .sort((a, b) => b.cases - a.cases || a.code.localeCompare(b.code)),
    byOutcome: tally(OUTCOMES, closure.byOutcome),
    byAuthority: authorities,
    referrals: authorities.reduce((n, a) => n + a.referrals, 0),
    penalties: { count: penalties.count, fines: penalties.fines, accountsPenalised: penalties.accounts },
    appeals: {
      filed: appeals.filed,
      decided: sum(appeals.decided),
      upheld: decided.upheld ?? 0,
      overturned: decided.overturned ?? 0,
    },
    timeliness: {
      toVerdict: closure.toVerdict,
      toReferral: closure.toReferral,
      toClose: closure.toClose,
      sla: {
        visits,
        withinSla,
        share: visits === 0 ? null : withinSla / visits,
        breaches: stages.reduce((n, s) => n + s.breaches, 0),
        byStage: stages,
      },
    },
    verifiers,
  };
}
