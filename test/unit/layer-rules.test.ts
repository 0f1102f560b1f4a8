// The layer rules of .dependency-cruiser.cjs (npm run depcruise) catch what they are for. A
// small tree laid out like casetrail's (a module per layer, a stand-in for the pg package)
// gets modules that break a rule each; dependency-cruiser is run on it with the real
// configuration, as CI runs it, and must name the rule and exit non-zero. The tree is a
// temporary folder: nothing is written under src/ while other tests read it.
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(import.meta.dirname, '../..');
const CONFIG = path.join(ROOT, '.dependency-cruiser.cjs');
const DEPCRUISE = path.join(ROOT, 'node_modules/dependency-cruiser/bin/dependency-cruiser.mjs');

/** One module in each layer the probes import, and a package the domain and the API must not use. */
const TREE: Record<string, string> = {
  'src/domain/stages.ts': "export const STAGES = ['received', 'closed'] as const;\n",
  'src/app/cursor.ts': 'export const encodeCursor = (key: readonly unknown[]): string => JSON.stringify(key);\n',
  'src/infra/logger.ts': 'export const lazyChild = (): void => undefined;\n',
  'src/infra/db/database.ts': 'export const isReachable = async (): Promise<boolean> => true;\n',
  'src/api/problems.ts': 'export const refuse = (): never => {\n  throw new Error();\n};\n',
  'src/cli/exit.ts': 'export class CliError extends Error {}\n',
  'node_modules/pg/package.json': '{ "name": "pg", "version": "8.0.0", "main": "index.js" }\n',
  'node_modules/pg/index.js': 'module.exports = {};\n',
};

type Probe = { file: string; source: string };

/** Each breaks the rule it names, and only that one. */
const VIOLATIONS: (Probe & { rule: string })[] = [
  {
    file: 'src/domain/probe-infra.ts',
    source: "import { lazyChild } from '../infra/logger.ts';\nexport const probe = lazyChild;\n",
    rule: 'domain-is-independent',
  },
  {
    file: 'src/domain/probe-pg.ts',
    source: "import type pg from 'pg';\nexport type Probe = pg.Pool;\n",
    rule: 'domain-is-independent',
  },
  {
    file: 'src/app/probe-api.ts',
    source: "import { refuse } from '../api/problems.ts';\nexport const probe = refuse;\n",
    rule: 'app-not-to-drivers',
  },
  {
    file: 'src/infra/probe-app.ts',
    source: "import { encodeCursor } from '../app/cursor.ts';\nexport const probe = encodeCursor;\n",
    rule: 'infra-not-to-upper-layers',
  },
  {
    file: 'workers/probe-cli.ts',
    source: "import { CliError } from '../src/cli/exit.ts';\nexport const probe = CliError;\n",
    rule: 'workers-not-to-api-or-cli',
  },
  {
    file: 'src/api/probe-db.ts',
    source: "import { isReachable } from '../infra/db/database.ts';\nexport const probe = isReachable;\n",
    rule: 'api-database-through-app',
  },
  {
    file: 'src/api/probe-pg.ts',
    source: "import type pg from 'pg';\nexport type Probe = pg.Pool;\n",
    rule: 'api-database-through-app',
  },
];
/** Two domain modules importing each other. */
const CYCLE: Probe[] = [
  {
    file: 'src/domain/probe-cycle-a.ts',
    source: "import { b } from './probe-cycle-b.ts';\nexport const a = () => b;\n",
  },
  {
    file: 'src/domain/probe-cycle-b.ts',
    source: "import { a } from './probe-cycle-a.ts';\nexport const b = () => a;\n",
  },
];
/** Within the rules: the API using the application layer, the application layer the domain and infra. */
const ALLOWED: Probe[] = [
  {
    file: 'src/api/probe-ok.ts',
    source: "import { encodeCursor } from '../app/cursor.ts';\nexport const probe = encodeCursor;\n",
  },
  {
    file: 'src/app/probe-ok.ts',
    source:
      "import { STAGES } from '../domain/stages.ts';\nimport { isReachable } from '../infra/db/database.ts';\nexport const probe = [STAGES, isReachable];\n",
  },
];

type Violation = { severity: string; rule: string; from: string };

/**
 * Lays the tree and the probes out in a temporary folder and runs the CLI there as `npm run
 * depcruise` does (its exit code is the number of errors), on the probes and what they
 * import; the violations are read off its report.
 */
function depcruise(probes: readonly Probe[]): { status: number | null; violations: Violation[] } {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'casetrail-layers-'));
  try {
    copyFileSync(path.join(ROOT, 'tsconfig.json'), path.join(dir, 'tsconfig.json'));
    for (const [file, source] of [...Object.entries(TREE), ...probes.map((p) => [p.file, p.source] as const)]) {
      mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
      writeFileSync(path.join(dir, file), source);
    }
    const result = spawnSync(process.execPath, [DEPCRUISE, ...probes.map((p) => p.file), '--config', CONFIG], {
      cwd: dir,
      encoding: 'utf8',
    });
    if (result.error !== undefined) throw result.error;
    const violations = [...result.stdout.matchAll(/^\s*(error|warn|info) ([\w-]+): (\S+) →/gmu)].map(
      ([, severity = '', rule = '', from = '']) => ({ severity, rule, from }),
    );
    return { status: result.status, violations };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('the layer rules', () => {
  it('fail on a module that breaks one, naming the rule', { timeout: 60_000 }, () => {
    const { status, violations } = depcruise([...VIOLATIONS, ...CYCLE]);
    expect(status).not.toBe(0);
    for (const { file, rule } of VIOLATIONS) {
      expect(
        violations.filter((v) => v.from === file).map((v) => `${v.severity} ${v.rule}`),
        file,
      ).toEqual([`error ${rule}`]);
    }
    // A cycle is reported once, from whichever of its modules the report starts at.
    const cycle = CYCLE.map((p) => p.file);
    expect(violations.filter((v) => cycle.includes(v.from)).map((v) => `${v.severity} ${v.rule}`)).toEqual([
      'error no-circular',
    ]);
    expect(violations).toHaveLength(VIOLATIONS.length + 1);
  });

  it('pass modules that keep them', { timeout: 60_000 }, () => {
    const { status, violations } = depcruise(ALLOWED);
    expect(violations).toEqual([]);
    expect(status).toBe(0);
  });
});
