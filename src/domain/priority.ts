import { PRIORITIES } from './stages.ts';
import type { Priority } from './stages.ts';

/** Merged-report counts at which a case's priority is raised to at least this level. */
const MERGE_PRIORITY_THRESHOLDS = [
  { merged: 10, atLeast: 'urgent' },
  { merged: 3, atLeast: 'high' },
  { merged: 1, atLeast: 'normal' },
] as const satisfies readonly { merged: number; atLeast: Priority }[];

export const DEFAULT_PRIORITY: Priority = 'normal';

function priorityRank(priority: Priority): number {
  return PRIORITIES.indexOf(priority);
}

function maxPriority(a: Priority, b: Priority): Priority {
  return priorityRank(a) >= priorityRank(b) ? a : b;
}

/** Many reports of the same item raise its priority; merging never lowers it. */
export function priorityAfterMerges(current: Priority, mergedReports: number): Priority {
  const threshold = MERGE_PRIORITY_THRESHOLDS.find((t) => mergedReports >= t.merged);
  return threshold ? maxPriority(current, threshold.atLeast) : current;
}
