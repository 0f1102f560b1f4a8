// `casetrail --help` and the help of each command load no command's implementation: only
// commander and the command definitions. A command loads what it uses when it runs.
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../support/child-process.ts';

const run = promisify(execFile);
const BIN = path.join(REPO_ROOT, 'bin/casetrail.mjs');
const RECORDER = path.join(REPO_ROOT, 'test/support/record-loads.mjs');

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'casetrail-loads-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

/** The files of the repository and the packages a casetrail command loaded. */
async function loadsOf(args: string[]): Promise<{ files: string[]; packages: string[] }> {
  const out = path.join(dir, `${args.join('_').replace(/\W/g, '')}.txt`);
  await run(process.execPath, ['--import', RECORDER, BIN, ...args], {
    cwd: REPO_ROOT,
    env: { PATH: process.env.PATH ?? '', RECORD_LOADS_TO: out },
  });
  const urls = (await readFile(out, 'utf8')).split('\n').filter((u) => u.startsWith('file:'));
  const files = urls.map((u) => path.relative(REPO_ROOT, new URL(u).pathname));
  const packages = [...new Set(files.flatMap((f) => /^node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(f)?.[1] ?? []))].sort();
  return { files: files.filter((f) => !f.startsWith('node_modules/')), packages };
}

describe('casetrail command line start-up', () => {
  it.each([['--help'], ['start', '--help'], ['audit', 'verify', '--help'], ['bench', '--help']])(
    '%s loads commander and the command definitions only',
    async (...args) => {
      const { files, packages } = await loadsOf(args);
      expect(packages).toEqual(['commander']);
      expect(files.filter((f) => /^(src\/(domain|app|infra|api|bench)|workers)\//.test(f))).toEqual([
        'src/infra/config/config-error.ts',
      ]);
      expect(files.filter((f) => f.endsWith('.action.ts'))).toEqual([]);
    },
  );

  it('answers --version before loading any source', async () => {
    const { files, packages } = await loadsOf(['--version']);
    expect(packages).toEqual([]);
    expect(files.filter((f) => f.endsWith('.ts'))).toEqual([]);
  });

  it('loads a command implementation when the command runs', async () => {
    // `audit verify --bundle` of a missing file: the implementation runs and refuses it.
    const out = path.join(dir, 'verify.txt');
    const failed = await run(
      process.execPath,
      ['--import', RECORDER, BIN, 'audit', 'verify', '--bundle', path.join(dir, 'missing.json')],
      { cwd: REPO_ROOT, env: { PATH: process.env.PATH ?? '', RECORD_LOADS_TO: out } },
    ).catch((error: { code: number; stderr: string }) => error);
    expect(failed).toMatchObject({ code: 2 });
    const loaded = await readFile(out, 'utf8');
    expect(loaded).toContain('src/cli/commands/audit.action.ts');
    expect(loaded).not.toContain('src/cli/commands/start.action.ts');
  });
});
