/** The scenarios `casetrail bench` runs, in the order it runs them. */
export const SCENARIOS = ['pipeline', 'intake', 'audit', 'scaling', 'startup', 'files', 'reads'] as const;
