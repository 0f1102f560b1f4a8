import type { CommandPayloads, CommandType } from './commands.ts';
import type { FieldProblem } from './problems.ts';

// Business dates: when an item was captured, a report received, a penalty issued, an appeal
// filed. They are the facts the case records, given by people, so they are checked against
// the calendar (nothing before EARLIEST_BUSINESS_DATE, nothing later than the server's
// clock allows) at the API, and against the case's history by the guards.

const EARLIEST_BUSINESS_DATE = '2000-01-01T00:00:00.000Z';

/** How far a client's clock may run ahead of the server's (CASETRAIL_CLOCK_SKEW). */
export const DEFAULT_CLOCK_SKEW_MS = 5 * 60_000;

type DatedField = { path: string; value: string | undefined; mayBeAhead?: boolean };

/** The business dates of each command's body; a due date lies ahead by nature. */
const BUSINESS_DATES: { [T in CommandType]?: (payload: CommandPayloads[T]) => DatedField[] } = {
  submit: (p) => [
    { path: 'item.capturedAt', value: p.item.capturedAt },
    { path: 'report.receivedAt', value: p.report.receivedAt },
  ],
  refer: (p) => [{ path: 'dueAt', value: p.dueAt, mayBeAhead: true }],
  'record-penalty': (p) => [{ path: 'issuedAt', value: p.issuedAt }],
  'file-appeal': (p) => [{ path: 'filedAt', value: p.filedAt }],
};

function minutes(ms: number): string {
  const n = Math.round(ms / 60_000);
  return n === 1 ? '1 minute' : `${n} minutes`;
}

/**
 * The business dates of a command's body that no calendar allows: before 2000-01-01, or
 * later than `now` (the server's clock when the request arrives) plus the clock skew.
 */
export function businessDateProblems<T extends CommandType>(
  type: T,
  payload: CommandPayloads[T],
  now: Date,
  clockSkewMs: number,
): FieldProblem[] {
  const fields = (BUSINESS_DATES[type] as ((p: CommandPayloads[T]) => DatedField[]) | undefined)?.(payload) ?? [];
  const latest = now.getTime() + clockSkewMs;
  return fields.flatMap(({ path, value, mayBeAhead }): FieldProblem[] => {
    if (value === undefined) return [];
    const at = Date.parse(value);
    if (at < Date.parse(EARLIEST_BUSINESS_DATE)) return [{ path, message: 'must not be before 2000-01-01' }];
    if (!mayBeAhead && at > latest) {
      return [
        { path, message: `must not be in the future (more than ${minutes(clockSkewMs)} ahead of the server clock)` },
      ];
    }
    return [];
  });
}

/** One sentence for a problem document: the fields and what is wrong with each. */
export function describeDateProblems(problems: readonly FieldProblem[]): string {
  return `impossible dates: ${problems.map((p) => `${p.path} ${p.message}`).join('; ')}`;
}
