import type { KeyObject } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import {
  checkSuccession,
  keySetSchema,
  resolveKeys,
  signedTreeHeadSchema,
  treeHeadProblem,
  type PublishedKey,
  type SignedTreeHead,
} from '../../domain/index.ts';
import { createApiClient } from '../api-client.ts';
import { CliError, EXIT } from '../exit.ts';
import { printResult } from '../output.ts';
import { pinnedKeyIds } from '../public-key.ts';

export type MonitorFlags = { state: string; apiUrl: string; publicKey?: string; trustedKeys?: string; json?: boolean };

// An outside witness of the Merkle log (SPEC §13): it keeps the last tree head it verified
// in its state directory and accepts a new head only with a valid consistency proof from
// it. A smaller log (rollback) or an inconsistent one (fork) exits 1 naming both sizes.
// One pass per run: run it from a timer.

const HEAD_FILE = 'head.json';
const PINS_FILE = 'pinned-keys.json';

export async function monitorAudit(flags: MonitorFlags): Promise<void> {
  await mkdir(flags.state, { recursive: true });
  const kept = await readJson<string[]>(path.join(flags.state, PINS_FILE));
  const pins = (await pinnedKeyIds(flags)) ?? new Set(kept ?? []);
  if (pins.size === 0)
    throw new CliError(
      'key not pinned: give --public-key or --trusted-keys on the first run (they are kept in the state directory)',
      EXIT.notPinned,
    );
  await writeAtomically(path.join(flags.state, PINS_FILE), [...pins]);

  const request = createApiClient({ url: flags.apiUrl, token: undefined, anonymous: true });
  const published = keySetSchema.safeParse(await request('GET', '/.well-known/casetrail-keys.json'));
  if (!published.success) return fail(flags, 'the published keys are not a key set');
  const trusted = trustedKeys(published.data.keys, pins);
  if (typeof trusted === 'string') return fail(flags, trusted);

  const page = await request<{ items: unknown[] }>('GET', '/v1/audit/tree-heads?limit=1');
  const parsed = signedTreeHeadSchema.safeParse(page.items[0]);
  if (page.items.length === 0) return done(flags, { ok: true, treeSize: 0, previousSize: null }, 'no tree head yet');
  if (!parsed.success) return fail(flags, 'the newest tree head is not a signed tree head');
  const head = parsed.data;
  const problem = treeHeadProblem(head, trusted);
  if (problem !== null) return fail(flags, problem);

  const previous = await readJson<SignedTreeHead>(path.join(flags.state, HEAD_FILE));
  if (previous !== null) {
    const proof =
      head.treeSize >= previous.treeSize
        ? (
            await request<{ proof: string[] }>(
              'GET',
              `/v1/audit/consistency?from=${previous.treeSize}&to=${head.treeSize}`,
            )
          ).proof
        : [];
    const succession = checkSuccession(previous, head, proof);
    if (!succession.ok)
      return fail(flags, succession.reason, { previousSize: previous.treeSize, treeSize: head.treeSize });
  }
  await writeAtomically(path.join(flags.state, HEAD_FILE), head);
  const previousSize = previous?.treeSize ?? null;
  done(
    flags,
    { ok: true, treeSize: head.treeSize, previousSize },
    previousSize === null
      ? `tree head ${head.treeSize} verified and kept`
      : `tree head ${head.treeSize} verified: consistent with the kept head ${previousSize}`,
  );
}

function trustedKeys(keys: readonly PublishedKey[], pins: ReadonlySet<string>): Map<string, KeyObject> | string {
  const resolved = resolveKeys(keys, pins);
  if (typeof resolved === 'string') return `the published keys do not hold: ${resolved}`;
  return new Map([...(resolved.trusted ?? [])].map((id) => [id, resolved.keys.get(id) as KeyObject]));
}

function done(flags: MonitorFlags, report: Record<string, unknown>, line: string): void {
  printResult(flags, report, () => line);
}

function fail(flags: MonitorFlags, reason: string, sizes: Record<string, number> = {}): void {
  printResult(flags, { ok: false, reason, ...sizes }, () => `monitor: ${reason}`);
  process.exitCode = EXIT.checkFailed;
}

async function readJson<T>(file: string): Promise<T | null> {
  try {
    return JSON.parse(await readFile(file, 'utf8')) as T;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new CliError(`--state: cannot read ${file}: ${(error as Error).message}`);
  }
}

async function writeAtomically(file: string, value: unknown): Promise<void> {
  await writeFile(`${file}.tmp`, `${JSON.stringify(value, null, 2)}\n`);
  await rename(`${file}.tmp`, file);
}
