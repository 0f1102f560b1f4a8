import type pg from 'pg';
import { OPEN_STAGES, OUTCOMES, STAGES, type OpenStage, type Outcome, type Stage } from '../domain/index.ts';
import {
  countBreachesByStage,
  countCasesByStageAndOutcome,
  countOverdueByStage,
  dailyThroughput,
  stageTimes,
  statsWindow,
} from '../infra/db/stats.repository.ts';

export type StatsDeps = { pool: pg.Pool };

type StageTime = { visits: number; medianSeconds: number | null; p90Seconds: number | null };

export type Stats = {
  generatedAt: string;
  window: { days: number; from: string; to: string };
  cases: { total: number; byStage: Record<Stage, number>; byOutcome: Record<Outcome, number> };
  sla: {
    /** Open cases past their stage deadline now. */
    overdue: { total: number; byStage: Record<OpenStage, number> };
    /** Breaches recorded in the window. */
    breaches: { total: number; byStage: Record<OpenStage, number> };
  };
  /** Over the stage visits that ended in the window. */
  timeInStage: Record<OpenStage, StageTime>;
  /** One entry per UTC day of the window, oldest first. */
  throughput: { day: string; received: number; closed: number }[];
};

export const DEFAULT_STATS_DAYS = 30;
export const MAX_STATS_DAYS = 366;

const zeros = <K extends string>(keys: readonly K[]): Record<K, number> =>
  Object.fromEntries(keys.map((key) => [key, 0])) as Record<K, number>;

function tally<K extends string>(
  keys: readonly K[],
  rows: readonly { stage: string; n: number }[],
): { total: number; byStage: Record<K, number> } {
  const byStage = zeros(keys);
  for (const row of rows) if ((keys as readonly string[]).includes(row.stage)) byStage[row.stage as K] += row.n;
  return { total: Object.values<number>(byStage).reduce((a, b) => a + b, 0), byStage };
}

/** Aggregates for the people who run casetrail; no case, person or free text appears in them. */
export async function getStats(deps: StatsDeps, options: { days?: number } = {}): Promise<Stats> {
  const days = options.days ?? DEFAULT_STATS_DAYS;
  const window = await statsWindow(deps.pool, days);
  const [counts, overdue, breaches, times, throughput] = await Promise.all([
    countCasesByStageAndOutcome(deps.pool),
    countOverdueByStage(deps.pool, window.to),
    countBreachesByStage(deps.pool, window),
    stageTimes(deps.pool, window),
    dailyThroughput(deps.pool, window),
  ]);

  const byStage = zeros(STAGES);
  const byOutcome = zeros(OUTCOMES);
  for (const row of counts) {
    if ((STAGES as readonly string[]).includes(row.stage)) byStage[row.stage as Stage] += row.n;
    if (row.outcome !== null && (OUTCOMES as readonly string[]).includes(row.outcome))
      byOutcome[row.outcome as Outcome] += row.n;
  }
  const timeInStage = Object.fromEntries(
    OPEN_STAGES.map((stage) => {
      const row = times.find((t) => t.stage === stage);
      return [stage, { visits: row?.visits ?? 0, medianSeconds: row?.median ?? null, p90Seconds: row?.p90 ?? null }];
    }),
  ) as Record<OpenStage, StageTime>;

  return {
    generatedAt: window.to.toISOString(),
    window: { days, from: window.from.toISOString(), to: window.to.toISOString() },
    cases: { total: counts.reduce((sum, row) => sum + row.n, 0), byStage, byOutcome },
    sla: { overdue: tally(OPEN_STAGES, overdue), breaches: tally(OPEN_STAGES, breaches) },
    timeInStage,
    throughput,
  };
}
