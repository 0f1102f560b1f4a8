// What every fault scenario shares: its people, its one-line report, and the check that no
// process logged a token, personal data or a stack trace while things went wrong.
import type pg from 'pg';
import { expect } from 'vitest';
import type { ClientStats } from './command-client.ts';
import { eventually, type InjectedFault, type Load } from './fault-injection.ts';
import type { People } from './lifecycle-plans.ts';
import type { TrailReport } from './trail-check.ts';
import type { ChildSystem } from '../../support/child-system.ts';
import { runCasetrail } from '../../support/child-process.ts';
import { findLeaks } from '../../support/leak-check.ts';
import { submitBody } from '../../support/fixtures.ts';

export async function createPeople(system: ChildSystem): Promise<People> {
  const three = (role: 'clerk' | 'verifier' | 'supervisor') =>
    Promise.all([0, 1, 2].map(() => system.createUser([role])));
  const [clerks, verifiers, supervisors] = await Promise.all([three('clerk'), three('verifier'), three('supervisor')]);
  return { clerks, verifiers, supervisors };
}

export type RunFigures = {
  report: TrailReport;
  injected: InjectedFault[];
  delivered: { commands: number; events: number };
  stats: ClientStats;
  /** What `casetrail audit verify` checked. */
  audit: { cases: number; events: number; checkpoints: number };
  /** How long the load ran, faults included. */
  loadMs: number;
};

/** One line per run, for the Reliability figures of docs/operations.md and for anyone reading CI output. */
export function reportRun(backend: string, system: ChildSystem, figures: RunFigures): void {
  const { report, injected, delivered, stats } = figures;
  const recovery = recoveryFigures(system);
  const faults: Record<string, number> = {};
  for (const fault of injected) faults[fault.kind] = (faults[fault.kind] ?? 0) + 1;
  const line = {
    backend,
    cases: report.cases,
    loadSeconds: Math.round(figures.loadMs / 1000),
    commands: report.commands.stored,
    applied: report.commands.applied,
    rejectedAsExpected: report.commands.rejected,
    events: report.events,
    faults,
    faultsInjected: injected.length,
    duplicateJobs: delivered.commands + delivered.events,
    abandonedRequestsRetried: stats.abandonedAttempts,
    doubleSends: stats.doubleSends,
    transportErrorsRetried: stats.transportErrors,
    unavailableRetried: stats.unavailable,
    internalErrors: stats.serverErrors,
    workerProcessesStarted: system.processes.length - 1,
    stalledJobsRecovered: recovery.stalledJobs,
    rowsRepublished: recovery.republished,
    latencyMs: percentiles(stats.latencies),
    faultTimeline: injected.map((f) => `${f.kind}@${f.atCommand}+${f.tookMs}ms`),
    auditVerify: `exit 0: ${figures.audit.cases} cases, ${figures.audit.events} events, ${figures.audit.checkpoints} checkpoints`,
    commandsLost: report.lost,
  };
  console.info(`fault run ${JSON.stringify(line)}`);
}

/** From the processes' logs: jobs whose worker died and that the stall check handed on, rows the reconciler published again. */
function recoveryFigures(system: ChildSystem): { stalledJobs: number; republished: number } {
  const lines = system.logLines();
  return {
    stalledJobs: lines.filter((l) => l.msg === 'job stalled').length,
    republished: lines
      .filter((l) => l.msg === 'reconciler republished unfinished work')
      .reduce((sum, l) => sum + (typeof l.republished === 'number' ? l.republished : 0), 0),
  };
}

/** Personal data of every case the plans submit, and every token. */
export function assertNoLeaks(system: ChildSystem, people: People): void {
  const { item } = submitBody();
  const secrets = [
    ...[...people.clerks, ...people.verifiers, ...people.supervisors].map((p) => p.token),
    item.accountHandle,
    item.accountName,
    'Fault-suite claim',
  ];
  const texts = [
    ...system.logLines().map((line) => ({ where: `${line.process} log`, text: JSON.stringify(line) })),
    ...system.processes.flatMap((p) => p.rawOutput.map((text) => ({ where: `${p.name} output`, text }))),
  ];
  expect(findLeaks(texts, secrets)).toEqual([]);
}

function percentiles(values: readonly number[]): { p50: number; p99: number; max: number } {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
  return { p50: at(0.5), p99: at(0.99), max: sorted.at(-1) ?? 0 };
}

/** The API and every worker not killed on purpose are still running: no fault crashed a process. */
export function assertNoCrash(system: ChildSystem): void {
  const crashed = [system.api, ...system.workers].filter((p) => p.exitStatus !== null);
  expect(
    crashed.map((p) => `${p.name} exited ${JSON.stringify(p.exitStatus)}: ${p.rawOutput.slice(0, 5).join(' | ')}`),
  ).toEqual([]);
}

/** With FAULT_PROGRESS set, a line every 5 s: what the load has done and which processes run. */
export function startProgress(load: Load, pool: pg.Pool, system: ChildSystem): () => void {
  if (!process.env.FAULT_PROGRESS) return () => undefined;
  const started = Date.now();
  const timer = setInterval(() => {
    const processes = system.processes.map(
      (p) => `${p.name}:${p.exitStatus === null ? 'up' : (p.exitStatus.signal ?? p.exitStatus.code)}`,
    );
    void pool
      .query<{ status: string; n: number }>('SELECT status, count(*)::int AS n FROM commands GROUP BY status')
      .then(
        ({ rows }) =>
          console.info(
            `progress ${Math.round((Date.now() - started) / 1000)}s sent=${load.ledger.length} cases=${load.expected.length} failures=${load.failures.length} ${rows.map((r) => `${r.status}=${r.n}`).join(' ')} ${processes.join(' ')}`,
          ),
        () => undefined,
      );
  }, 5_000);
  return () => clearInterval(timer);
}

/** Every command finished and every outbox row handled: the system is at rest. */
export async function awaitQuiescence(pool: pg.Pool): Promise<void> {
  await eventually(
    async () => {
      const { rows } = await pool.query<{ pending: number; outbox: number }>(
        "SELECT (SELECT count(*)::int FROM commands WHERE status = 'pending') AS pending, (SELECT count(*)::int FROM outbox) AS outbox",
      );
      return rows[0]?.pending === 0 && rows[0]?.outbox === 0;
    },
    120_000,
    'every command finished and the outbox drained',
  );
}

/**
 * `casetrail audit verify` over the whole database, as an operator runs it after an
 * incident: every chain, every case row against its events, every signed checkpoint.
 */
export async function assertAuditVerifies(
  system: ChildSystem,
): Promise<{ cases: number; events: number; checkpoints: number }> {
  const { code, stdout, stderr } = await runCasetrail(['audit', 'verify', '--json'], system.env);
  const report = JSON.parse(stdout || '{}') as {
    ok?: boolean;
    cases?: number;
    events?: number;
    checkpoints?: number;
    failures?: unknown[];
  };
  expect({ code, ok: report.ok, failures: report.failures ?? [] }, stderr).toEqual({ code: 0, ok: true, failures: [] });
  return { cases: report.cases ?? 0, events: report.events ?? 0, checkpoints: report.checkpoints ?? 0 };
}
