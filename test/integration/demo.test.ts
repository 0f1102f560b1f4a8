// `casetrail demo` as a user runs it: the CLI in its own process, against a running system
// over HTTP, with an admin token, twice. Each run adds its own users and cases in every
// stage and outcome; the second changes nothing the first made.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSystem, type System } from '../support/system.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');
const CASES = 28;
const HISTORY = 40;

type DemoSummary = {
  runTag: string;
  cases: number;
  stages: Record<string, number>;
  outcomes: Record<string, number>;
  failed: unknown[];
  erased: number;
  history: { rows: number; stages: Record<string, number>; outcomes: Record<string, number> };
  users: { name: string; roles: string[]; token: string }[];
};

function runCli(
  args: string[],
  env: Record<string, string> = {},
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(ROOT, 'bin/casetrail.mjs'), ...args], {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', LOG_LEVEL: 'warn', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    const timer = setTimeout(() => child.kill('SIGKILL'), 240_000);
    child.once('error', reject);
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

describe('casetrail demo', () => {
  let system: System;
  let admin: string;
  const runs: DemoSummary[] = [];

  beforeAll(async () => {
    system = await startSystem({ backend: 'postgres' });
    admin = (await system.createUser(`admin-${Date.now()}`, ['admin'])).token;
  });
  afterAll(() => system?.close());

  const demo = async () => {
    const result = await runCli(
      ['demo', '--cases', String(CASES), '--history', String(HISTORY), '--api-url', system.baseUrl, '--json'],
      {
        CASETRAIL_TOKEN: admin,
      },
    );
    expect(result.code, result.stderr).toBe(0);
    const summary = JSON.parse(result.stdout) as DemoSummary;
    runs.push(summary);
    return summary;
  };

  it('imports a half year of history, then fills a running system with cases in every stage and outcome, through the API', async () => {
    const summary = await demo();
    expect(summary.history.rows).toBe(HISTORY);
    // Two closed cases had their personal data erased, by the admin token's user.
    expect(summary.erased).toBe(2);
    expect(await erasures(system)).toBe(2);
    expect(summary).toMatchObject({
      cases: CASES,
      failed: [],
      stages: { received: 5, verified: 3, referred: 2, penalty_issued: 2, closed: 16 },
      outcomes: {
        dismissed: 5,
        duplicate: 1,
        no_violation: 2,
        penalty_enforced: 5,
        penalty_overturned: 1,
        withdrawn: 2,
      },
    });
    expect(summary.users.map((u) => [u.name, u.roles])).toEqual(
      ['clerk', 'verifier', 'supervisor'].flatMap((role) =>
        [1, 2, 3].map((i) => [`demo-${summary.runTag.toLowerCase()}-${role}-${i}`, [role]]),
      ),
    );
    expect(await stageCounts(system)).toEqual(plus(summary.stages, summary.history.stages));
    // The history's open cases past their deadline (the record's dates): each gets its breach.
    const overdue = await overdueCases(system);
    expect(overdue).toBeGreaterThan(0);
    await system.waitFor(async () => (await breaches(system)) >= overdue, 30_000);
    expect(await breaches(system)).toBe(overdue);
    // The past's own late steps are breaches too, dated when they happened.
    const { rows } = await system.harness.pool.query<{ n: number }>(
      "SELECT count(*)::int AS n FROM sla_breaches WHERE breached_at < now() - interval '7 days'",
    );
    expect(rows[0]?.n).toBeGreaterThan(0);
  });

  it('runs again without touching the first run: new users, new cases, every command applied', async () => {
    const before = await caseVersions(system);
    const second = await demo();
    expect(second.runTag).not.toBe(runs[0]?.runTag);
    expect(second.failed).toEqual([]);
    const first = runs[0] as DemoSummary;
    // The live weeks are planned alike; each run's history is its own draw.
    const doubled = plus(plus(first.stages, first.history.stages), plus(second.stages, second.history.stages));
    expect(second.stages).toEqual(first.stages);
    expect(await stageCounts(system)).toEqual(doubled);
    const after = await caseVersions(system);
    expect([...before].filter(([id, version]) => after.get(id) !== version)).toEqual([]);
    expect(await system.pendingCommands()).toBe(0);
    const { rows } = await system.harness.pool.query<{ status: string; n: number }>(
      "SELECT status, count(*)::int AS n FROM commands WHERE status <> 'applied' GROUP BY status",
    );
    expect(rows).toEqual([]);
  });

  it('answers a missing API with exit status 2 and a hint', async () => {
    const result = await runCli(['demo', '--api-url', 'http://127.0.0.1:9', '--token', admin]);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(
      'casetrail: the API at http://127.0.0.1:9 is unreachable; start casetrail first (npm start) or pass --api-url\n',
    );
  });
});

function plus(a: Record<string, number>, b: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.keys(a).map((key) => [key, (a[key] ?? 0) + (b[key] ?? 0)]));
}

async function erasures(system: System): Promise<number> {
  const { rows } = await system.harness.pool.query<{ n: number }>(
    "SELECT count(*)::int AS n FROM events WHERE type = 'case.personal_data_erased'",
  );
  return rows[0]?.n ?? 0;
}

async function overdueCases(system: System): Promise<number> {
  const { rows } = await system.harness.pool.query<{ n: number }>(
    "SELECT count(*)::int AS n FROM cases WHERE stage <> 'closed' AND deadline_at < now()",
  );
  return rows[0]?.n ?? 0;
}

/** Breaches of the visits cases are in now (those of the past's closed visits aside). */
async function breaches(system: System): Promise<number> {
  const { rows } = await system.harness.pool.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM sla_breaches b JOIN cases c ON c.id = b.case_id
     WHERE c.stage = b.stage AND c.stage_entered_at = b.stage_entered_at`,
  );
  return rows[0]?.n ?? 0;
}

async function stageCounts(system: System): Promise<Record<string, number>> {
  const { rows } = await system.harness.pool.query<{ stage: string; n: number }>(
    'SELECT stage, count(*)::int AS n FROM cases GROUP BY stage',
  );
  const counts = Object.fromEntries(
    ['received', 'verified', 'referred', 'penalty_issued', 'closed'].map((s) => [s, 0]),
  );
  for (const row of rows) counts[row.stage] = row.n;
  return counts;
}

async function caseVersions(system: System): Promise<Map<string, number>> {
  const { rows } = await system.harness.pool.query<{ id: string; version: number }>('SELECT id, version FROM cases');
  return new Map(rows.map((r) => [r.id, r.version]));
}
