import type pg from 'pg';
import { OPEN_STAGES, STAGES, type OpenStage, type Stage } from '../domain/index.ts';
import { breachesByDay, stageDeltas } from '../infra/db/stage-history.repository.ts';
import { statsWindow } from '../infra/db/stats.repository.ts';

export type StageHistoryDeps = { pool: pg.Pool };

export type StageHistory = {
  window: { days: number; from: string; to: string };
  /** One entry per UTC day of the window, oldest first: the cases in each stage at the day's end. */
  days: { day: string; byStage: Record<Stage, number>; breaches: Record<OpenStage, number> }[];
};

const zeros = <K extends string>(keys: readonly K[]): Record<K, number> =>
  Object.fromEntries(keys.map((key) => [key, 0])) as Record<K, number>;

const isStage = (value: string): value is Stage => (STAGES as readonly string[]).includes(value);
const isOpenStage = (value: string): value is OpenStage => (OPEN_STAGES as readonly string[]).includes(value);

/** The days of the window, as the stats window counts them (UTC calendar days). */
function daysOf(from: Date, days: number): string[] {
  return Array.from({ length: days }, (_, i) => new Date(from.getTime() + i * 86_400_000).toISOString().slice(0, 10));
}

/**
 * Cases by stage at the end of each day, and SLA breaches per day, for the console's
 * charts: /v1/stats gives the present counts, this gives their history over the same window.
 */
export async function getStageHistory(deps: StageHistoryDeps, options: { days: number }): Promise<StageHistory> {
  const window = await statsWindow(deps.pool, options.days);
  const [deltas, breaches] = await Promise.all([stageDeltas(deps.pool, window), breachesByDay(deps.pool, window)]);
  const running = zeros(STAGES);
  const byDay = new Map<string, { stage: Stage; n: number }[]>();
  for (const row of deltas) {
    if (!isStage(row.stage)) continue;
    if (row.day === null) running[row.stage] += row.n;
    else byDay.set(row.day, [...(byDay.get(row.day) ?? []), { stage: row.stage, n: row.n }]);
  }
  const days = daysOf(window.from, options.days).map((day) => {
    for (const { stage, n } of byDay.get(day) ?? []) running[stage] += n;
    const dayBreaches = zeros(OPEN_STAGES);
    for (const row of breaches) if (row.day === day && isOpenStage(row.stage)) dayBreaches[row.stage] += row.n;
    return { day, byStage: { ...running }, breaches: dayBreaches };
  });
  return { window: { days: options.days, from: window.from.toISOString(), to: window.to.toISOString() }, days };
}
