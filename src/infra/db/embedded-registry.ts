import { lstat, mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

/**
 * Which casetrail servers run their embedded PostgreSQL on which data directory, so that a
 * one-shot command (`casetrail users create`) run with another data directory can say
 * where the running one is instead of quietly using a database no server reads. One file
 * per server, `<tmpdir>/casetrail-<uid>/servers/<pid>.json`, written once its PostgreSQL
 * has started and removed when it stops; a file whose process is gone is ignored (and
 * removed). Private to the user: the directory is made 0700 and used only when it is the
 * user's own.
 */
function registryDir(): string {
  const uid = typeof process.getuid === 'function' ? process.getuid() : 'user';
  return path.join(os.tmpdir(), `casetrail-${uid}`, 'servers');
}

async function ownPrivateDir(dir: string): Promise<boolean> {
  const info = await lstat(dir).catch(() => null);
  if (info === null || !info.isDirectory()) return false;
  const uid = typeof process.getuid === 'function' ? process.getuid() : info.uid;
  return info.uid === uid && (info.mode & 0o077) === 0;
}

export interface AdvertisedServer {
  pid: number;
  /** The data directory, absolute. */
  dataDir: string;
}

/** Records this process as the server of dataDir; returns what withdraws it again. */
export async function advertiseServer(dataDir: string): Promise<() => Promise<void>> {
  const dir = registryDir();
  try {
    await mkdir(path.dirname(dir), { recursive: true, mode: 0o700 });
    await mkdir(dir, { recursive: true, mode: 0o700 });
    if (!(await ownPrivateDir(path.dirname(dir))) || !(await ownPrivateDir(dir))) return async () => undefined;
    const file = path.join(dir, `${process.pid}.json`);
    const entry: AdvertisedServer = { pid: process.pid, dataDir: path.resolve(dataDir) };
    await writeFile(file, `${JSON.stringify(entry)}\n`, { mode: 0o600 });
    return () => rm(file, { force: true });
  } catch {
    // Only a hint for other commands: the server runs as well without it.
    return async () => undefined;
  }
}

/** The servers advertised whose process still runs. */
export async function advertisedServers(): Promise<AdvertisedServer[]> {
  const dir = registryDir();
  if (!(await ownPrivateDir(path.dirname(dir))) || !(await ownPrivateDir(dir))) return [];
  const servers: AdvertisedServer[] = [];
  for (const name of await readdir(dir).catch(() => [] as string[])) {
    if (!name.endsWith('.json')) continue;
    const file = path.join(dir, name);
    try {
      const entry = JSON.parse(await readFile(file, 'utf8')) as Partial<AdvertisedServer>;
      if (typeof entry.pid !== 'number' || typeof entry.dataDir !== 'string') continue;
      if (isAlive(entry.pid)) servers.push({ pid: entry.pid, dataDir: entry.dataDir });
      else await rm(file, { force: true });
    } catch {
      // Half-written by a server starting this very moment, or not ours: skip it.
    }
  }
  return servers;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
