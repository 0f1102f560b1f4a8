import { randomBytes } from 'node:crypto';
import { OUTCOMES, STAGES } from '../../domain/index.ts';
import { loadConfig } from '../../infra/config/config.ts';
import { demoHistory, type DemoHistory } from '../demo/demo-history.ts';
import { MIN_DEMO_CASES, planDemo, type DemoCase } from '../demo/demo-plan.ts';
import { DemoAbort, runDemo, type CaseResult } from '../demo/demo-runner.ts';
import { createDemoUsersInDatabase, createDemoUsersViaApi, tokensByRole } from '../demo/demo-users.ts';
import { CliError, EXIT } from '../exit.ts';
import { printResult } from '../output.ts';
import { createProgress } from '../progress.ts';

export type DemoFlags = {
  cases: string;
  history: string;
  concurrency: string;
  apiUrl?: string;
  token?: string;
  json?: boolean;
};

function positive(name: string, value: string, min = 1): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < min) throw new CliError(`--${name}: expected an integer of at least ${min}`);
  return n;
}

export async function runDemoCommand(flags: DemoFlags): Promise<void> {
  const cases = positive('cases', flags.cases, MIN_DEMO_CASES);
  const historyRows = positive('history', flags.history, 0);
  const concurrency = positive('concurrency', flags.concurrency);
  const config = loadConfig();
  const apiUrl = (flags.apiUrl ?? config.CASETRAIL_API_URL).replace(/\/+$/, '');
  await assertReachable(apiUrl);
  const runTag = randomBytes(3).toString('hex').toUpperCase();
  const adminToken = flags.token ?? config.CASETRAIL_TOKEN;
  const users =
    adminToken === undefined
      ? await createDemoUsersInDatabase(runTag)
      : await createDemoUsersViaApi(apiUrl, adminToken, runTag);
  const now = new Date();
  const supervisor = tokensByRole(users).supervisor[0] as string;
  const history =
    historyRows === 0 ? null : await importHistory(apiUrl, supervisor, demoHistory({ rows: historyRows, runTag, now }));
  const plan = planDemo({ cases, runTag, now });
  const progress = createProgress(`demo ${runTag}`, plan.length);
  const started = Date.now();
  let results: CaseResult[];
  try {
    results = await runDemo({
      apiUrl,
      runTag,
      tokens: tokensByRole(users),
      plan,
      concurrency,
      onCase: () => progress.tick(),
    });
  } catch (error) {
    if (error instanceof DemoAbort && error.reason === 'unreachable') throw new CliError(error.message, EXIT.usage);
    if (error instanceof DemoAbort) {
      // Users made in the database were made in another one than the API's.
      const hint =
        adminToken === undefined
          ? '; is the API using another database than this shell (DATABASE_URL, CASETRAIL_DATA_DIR)? pass --token with an admin token instead'
          : '';
      throw new CliError(`${error.message}${hint}`, EXIT.checkFailed);
    }
    throw error;
  } finally {
    progress.stop();
  }
  const erased = adminToken === undefined ? [] : await eraseSome(apiUrl, adminToken, plan, results);
  const summary = { ...summarize(plan, results, runTag, apiUrl, Date.now() - started), erased: erased.length };
  printResult(
    flags,
    {
      ...summary,
      history: history === null ? null : { rows: history.rows, stages: history.stages, outcomes: history.outcomes },
      users: users.map(({ name, role, token }) => ({ name, roles: [role], token })),
    },
    () =>
      [
        ...(history === null ? [] : [`imported ${history.rows} past cases of the half year before the live weeks`]),
        humanSummary(
          summary,
          users.filter((u) => u.name.endsWith('-1')),
        ),
      ].join('\n'),
  );
  if (summary.failed.length > 0) {
    throw new CliError(
      `${summary.failed.length} of ${plan.length} demo cases did not reach their stage; first: case ${summary.failed[0]?.n} ${summary.failed[0]?.failure}`,
      EXIT.checkFailed,
    );
  }
}

const ERASED_FATES = new Set(['withdrawn', 'dismissed']);

/**
 * A court order or the retention period: the personal data of a few closed cases is
 * erased (admin), as a unit's trail shows over half a year. Needs the admin token.
 */
async function eraseSome(
  apiUrl: string,
  adminToken: string,
  plan: readonly DemoCase[],
  results: readonly CaseResult[],
): Promise<string[]> {
  const fates = new Map(plan.map((c) => [c.n, c.fate]));
  const chosen = results
    .filter((r) => r.failure === null && r.caseId !== null && ERASED_FATES.has(fates.get(r.n) ?? ''))
    .slice(0, 2)
    .map((r) => r.caseId as string);
  for (const caseId of chosen) {
    const response = await fetch(`${apiUrl}/v1/cases/${caseId}/personal-data/erase`, {
      method: 'POST',
      headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ reason: 'Hết thời hạn lưu trữ dữ liệu cá nhân (retention period over)' }),
      signal: AbortSignal.timeout(30_000),
    });
    if (!response.ok)
      throw new CliError(`erasing the personal data of case ${caseId}: ${response.status}`, EXIT.checkFailed);
  }
  return chosen;
}

/** The half year before: imported as a unit brings its spreadsheets in (POST /v1/imports). */
async function importHistory(apiUrl: string, token: string, history: DemoHistory): Promise<DemoHistory> {
  const response = await fetch(`${apiUrl}/v1/imports`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'text/csv' },
    body: history.csv,
    signal: AbortSignal.timeout(600_000),
  });
  const answer = (await response.json()) as {
    imported?: number;
    detail?: string;
    errors?: { path: string; message: string }[];
  };
  if (!response.ok || answer.imported !== history.rows) {
    const first = answer.errors?.[0];
    throw new CliError(
      `importing the demo's history: ${response.status} ${answer.detail ?? ''}${first ? ` (${first.path}: ${first.message})` : ''}`,
      EXIT.checkFailed,
    );
  }
  return history;
}

async function assertReachable(apiUrl: string): Promise<void> {
  try {
    const response = await fetch(`${apiUrl}/healthz`, { signal: AbortSignal.timeout(5_000) });
    if (response.ok) return;
  } catch {
    // reported below
  }
  throw new CliError(
    `the API at ${apiUrl} is unreachable; start casetrail first (npm start) or pass --api-url`,
    EXIT.usage,
  );
}

type Summary = ReturnType<typeof summarize>;

function summarize(
  plan: readonly DemoCase[],
  results: readonly CaseResult[],
  runTag: string,
  apiUrl: string,
  ms: number,
) {
  const byCase = new Map(plan.map((c) => [c.n, c]));
  // Listed in lifecycle order.
  const stages: Record<string, number> = Object.fromEntries(STAGES.map((stage) => [stage, 0]));
  const outcomes: Record<string, number> = Object.fromEntries(OUTCOMES.map((outcome) => [outcome, 0]));
  for (const result of results) {
    if (result.failure !== null) continue;
    const last = byCase.get(result.n)?.steps.at(-1)?.expect;
    if (last === undefined) continue;
    stages[last.stage] = (stages[last.stage] ?? 0) + 1;
    if (last.outcome !== null) outcomes[last.outcome] = (outcomes[last.outcome] ?? 0) + 1;
  }
  const failed = results
    .filter((r) => r.failure !== null)
    .map(({ n, fate, caseId, failure }) => ({ n, fate, caseId, failure }));
  return {
    runTag,
    apiUrl,
    cases: plan.length,
    commands: results.reduce((a, r) => a + r.commands, 0),
    seconds: Math.round(ms / 100) / 10,
    stages,
    outcomes,
    failed,
  };
}

function humanSummary(summary: Summary, shown: readonly { name: string; token: string }[]): string {
  const list = (counts: Record<string, number>) =>
    Object.entries(counts)
      .map(([k, v]) => `${k} ${v}`)
      .join(', ');
  return [
    `demo run ${summary.runTag}: ${summary.cases} cases, ${summary.commands} commands in ${summary.seconds} s through ${summary.apiUrl}`,
    `  by stage:   ${list(summary.stages)}`,
    `  closed as:  ${list(summary.outcomes)}`,
    ...(summary.failed.length > 0 ? [`  failed:     ${summary.failed.length}`] : []),
    'demo users (tokens shown once; the others are in --json):',
    ...shown.map((u) => `  ${u.name.padEnd(28)} ${u.token}`),
  ].join('\n');
}
