/** The age bands of the unclaimed backlog, from receipt: under an hour, a day, three days, older. */
export const AGE_BANDS = ['underHour', 'underDay', 'underThreeDays', 'older'] as const;
export type AgeBand = (typeof AGE_BANDS)[number];
