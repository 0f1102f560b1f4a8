/** The scenarios `casetrail bench` runs, in the order it runs them. */
export const SCENARIOS = [
  'pipeline',
  'intake',
  'audit',
  'scaling',
  'startup',
  'files',
  'import',
  'reads',
  'soak',
] as const;

/** What runs without --scenarios: all but the soak, which runs for an hour unless told otherwise. */
export const DEFAULT_SCENARIOS = SCENARIOS.filter((scenario) => scenario !== 'soak');
