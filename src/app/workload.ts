import type pg from 'pg';
import { AGE_BANDS, PRIORITIES, type AgeBand, type Priority } from '../domain/index.ts';
import { unclaimedBacklog, verifierLoads } from '../infra/db/workload.repository.ts';

export type WorkloadDeps = { pool: pg.Pool };

type VerifierLoad = {
  id: string;
  name: string;
  disabled: boolean;
  openClaims: number;
  verdicts7d: number;
  verdicts30d: number;
  /** From receipt to verdict, over the verdicts of the last 30 days; null without any. */
  medianSecondsToVerdict: number | null;
};

type BacklogBand = { total: number; byAge: Record<AgeBand, number> };

export type Workload = {
  verifiers: VerifierLoad[];
  /** Received cases nobody holds a live claim on. */
  backlog: BacklogBand & { byPriority: Record<Priority, BacklogBand>; oldestReceivedAt: string | null };
};

const band = (): BacklogBand => ({
  total: 0,
  byAge: Object.fromEntries(AGE_BANDS.map((age) => [age, 0])) as Record<AgeBand, number>,
});

/** Who carries what: per verifier, and the work nobody has taken yet (SPEC §12). */
export async function getWorkload(deps: WorkloadDeps): Promise<Workload> {
  const [loads, backlogRows] = await Promise.all([verifierLoads(deps.pool), unclaimedBacklog(deps.pool)]);
  const all = band();
  const byPriority = Object.fromEntries(PRIORITIES.map((p) => [p, band()])) as Record<Priority, BacklogBand>;
  let oldest: Date | null = null;
  for (const row of backlogRows) {
    const age = row.age as AgeBand;
    const priority = byPriority[row.priority as Priority];
    if (priority === undefined) continue;
    for (const target of [all, priority]) {
      target.total += row.n;
      target.byAge[age] += row.n;
    }
    if (oldest === null || row.oldest < oldest) oldest = row.oldest;
  }
  return {
    verifiers: loads.map((row) => ({
      id: row.id,
      name: row.name,
      disabled: row.disabled,
      openClaims: row.open_claims,
      verdicts7d: row.verdicts_7d,
      verdicts30d: row.verdicts_30d,
      medianSecondsToVerdict: row.median_seconds,
    })),
    backlog: { ...all, byPriority, oldestReceivedAt: oldest?.toISOString() ?? null },
  };
}
