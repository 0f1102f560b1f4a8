import type { FieldProblem } from './problems.ts';

// A period of calendar days (YYYY-MM-DD, both ends inclusive) in the deployment's time zone:
// what searches and reports are asked for. Bounded, so that no request reads a whole history
// by accident.

const MAX_PERIOD_YEARS = 5;

/** Where the unit works: the default of CASETRAIL_TIME_ZONE. */
export const DEFAULT_TIME_ZONE = 'Asia/Ho_Chi_Minh';

/** The same day `years` years later (29 February becomes 1 March). */
function yearsAfter(day: string, years: number): string {
  const [y, m, d] = day.split('-').map(Number) as [number, number, number];
  return new Date(Date.UTC(y + years, m - 1, d)).toISOString().slice(0, 10);
}

/** What is wrong with a period: `from` after `to`, or more than MAX_PERIOD_YEARS years. */
export function periodProblems(from: string | undefined, to: string | undefined): FieldProblem[] {
  if (from === undefined || to === undefined) return [];
  if (from > to) return [{ path: 'from', message: `must not be after to (${to})` }];
  if (to >= yearsAfter(from, MAX_PERIOD_YEARS)) {
    return [{ path: 'to', message: `the period may span at most ${MAX_PERIOD_YEARS} years` }];
  }
  return [];
}
