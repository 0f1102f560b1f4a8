// A casetrail process started from the command line (`node bin/casetrail.mjs ...`), as an
// operator would run it: its pino lines are parsed and kept for assertions, and it can be
// stopped gracefully or killed with SIGKILL (kill -9) by its own pid.
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const BIN = path.join(REPO_ROOT, 'bin/casetrail.mjs');

export type ProcessLogLine = { level: string; msg: string; [key: string]: unknown };

export interface CasetrailProcess {
  readonly name: string;
  readonly pid: number;
  /** Every JSON log line the process wrote to stdout, parsed, in order. */
  readonly logs: ProcessLogLine[];
  /** Whatever the process wrote that is not a JSON log line (stdout and stderr). */
  readonly rawOutput: string[];
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** How the process ended, or null while it runs. */
  readonly exitStatus: { code: number | null; signal: NodeJS.Signals | null } | null;
  /** Resolves with the first log line that matches, or rejects when the process exits first or time runs out. */
  waitForLog(match: (line: ProcessLogLine) => boolean, timeoutMs: number): Promise<ProcessLogLine>;
  /** SIGKILL: no shutdown handler runs, open transactions and job locks are left behind. */
  kill9(): Promise<void>;
  /** SIGTERM, then SIGKILL if it has not exited within timeoutMs. */
  stop(timeoutMs?: number): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/**
 * Only what casetrail needs from the parent's environment: a test runner's own variables
 * (its DATABASE_URL, NODE_OPTIONS, VITEST...) must not leak into the child.
 */
function baseEnv(): Record<string, string> {
  const keep = ['PATH', 'HOME', 'TMPDIR', 'LANG', 'TZ'];
  return Object.fromEntries(
    keep.flatMap((key) => (process.env[key] === undefined ? [] : [[key, process.env[key] as string]])),
  );
}

/**
 * With processGroup, the process leads a process group of its own, as a command started
 * in a terminal does: signal `-pid` to reach the whole group, as Ctrl-C there would.
 */
export function startCasetrail(
  name: string,
  args: readonly string[],
  env: Record<string, string>,
  options: { processGroup?: boolean } = {},
): CasetrailProcess {
  const child: ChildProcess = spawn(process.execPath, [BIN, ...args], {
    cwd: REPO_ROOT,
    env: { ...baseEnv(), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: options.processGroup === true,
  });
  if (child.pid === undefined) throw new Error(`could not start ${name}`);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once('exit', (code, signal) => resolve({ code, signal }));
  });
  let exitStatus: { code: number | null; signal: NodeJS.Signals | null } | null = null;
  void exited.then((status) => {
    exitStatus = status;
  });
  const { logs, rawOutput, waitForLog } = collectLogLines(
    name,
    [child.stdout, child.stderr],
    exited.then(({ code, signal }) => `exited (${code ?? signal})`),
  );

  return {
    name,
    pid: child.pid,
    logs,
    rawOutput,
    exited,
    get exitStatus() {
      return exitStatus;
    },
    waitForLog,
    async kill9() {
      if (exitStatus === null) child.kill('SIGKILL');
      await exited;
    },
    async stop(timeoutMs = 20_000) {
      if (exitStatus !== null) return exited;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
      const result = await exited;
      clearTimeout(timer);
      return result;
    },
  };
}

/**
 * The JSON log lines that come on a process's streams (the rest kept raw), and a wait for
 * one: it fails after timeoutMs, or once `over` resolves (with why no line can come now).
 */
export function collectLogLines(
  name: string,
  streams: readonly (NodeJS.ReadableStream | null)[],
  over: Promise<string>,
): Pick<CasetrailProcess, 'logs' | 'rawOutput' | 'waitForLog'> {
  const logs: ProcessLogLine[] = [];
  const rawOutput: string[] = [];
  const listeners = new Set<(line: ProcessLogLine) => void>();
  for (const stream of streams) {
    let buffered = '';
    stream?.setEncoding('utf8');
    stream?.on('data', (chunk: string) => {
      buffered += chunk;
      const lines = buffered.split('\n');
      buffered = lines.pop() ?? '';
      for (const text of lines) {
        if (text.trim() === '') continue;
        const line = parseLogLine(text);
        if (line === null) {
          rawOutput.push(text);
          continue;
        }
        logs.push(line);
        for (const listener of listeners) listener(line);
      }
    });
  }
  return {
    logs,
    rawOutput,
    waitForLog(match, timeoutMs) {
      const found = logs.find(match);
      if (found !== undefined) return Promise.resolve(found);
      return new Promise((resolve, reject) => {
        const done = (error: Error | null, line?: ProcessLogLine) => {
          clearTimeout(timer);
          listeners.delete(listener);
          if (error === null && line !== undefined) resolve(line);
          else reject(error);
        };
        const listener = (line: ProcessLogLine) => {
          if (match(line)) done(null, line);
        };
        const timer = setTimeout(
          () => done(new Error(`${name}: no matching log line within ${timeoutMs} ms\n${tail(rawOutput)}`)),
          timeoutMs,
        );
        listeners.add(listener);
        void over.then((why) => done(new Error(`${name} ${why} before the expected log line\n${tail(rawOutput)}`)));
      });
    },
  };
}

/** Whether a process of this pid exists (signal 0 checks without sending anything). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Runs a one-shot casetrail command to its end: its exit code and what it printed. */
export function runCasetrail(
  args: readonly string[],
  env: Record<string, string>,
  timeoutMs = 120_000,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      cwd: REPO_ROOT,
      env: { ...baseEnv(), ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`casetrail ${args.join(' ')} did not end within ${timeoutMs} ms`));
    }, timeoutMs);
    child.once('error', reject);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

function parseLogLine(text: string): ProcessLogLine | null {
  if (!text.startsWith('{')) return null;
  try {
    const value = JSON.parse(text) as unknown;
    return typeof value === 'object' && value !== null && 'msg' in value ? (value as ProcessLogLine) : null;
  } catch {
    return null;
  }
}

function tail(lines: readonly string[]): string {
  return lines.slice(-20).join('\n');
}
