import type pg from 'pg';
import { findCommand } from '../infra/db/command.repository.ts';
import {
  deleteObjectRow,
  isObjectReferenced,
  knownObjects,
  lockObject,
  lockUnreferencedObjects,
} from '../infra/db/file.repository.ts';
import { inTransaction } from '../infra/db/transaction.ts';
import type { FileStore } from '../infra/files/file-store.ts';
import type { Logger } from '../infra/logger.ts';

export type FileObjectDeps = { pool: pg.Pool; store: FileStore; log: Logger };

/**
 * Deletes the bytes (and the thumbnail) of each object that no file and no pending
 * attach-file command holds any more: after an erasure, or a rejected upload. Each object's
 * row is locked while it is checked and deleted, so an upload of the same bytes that is
 * storing its command waits, and the object it places is never deleted after it. Returns
 * the objects deleted.
 */
export async function releaseObjects(deps: FileObjectDeps, hashes: readonly string[]): Promise<string[]> {
  const deleted: string[] = [];
  for (const sha256 of hashes) {
    const gone = await inTransaction(deps.pool, async (client) => {
      if (!(await lockObject(client, sha256))) return false;
      if (await isObjectReferenced(client, sha256)) return false;
      await deleteBytes(deps.store, sha256);
      await deleteObjectRow(client, sha256);
      return true;
    });
    if (gone) deleted.push(sha256);
  }
  return deleted;
}

/** After an attach-file command was rejected: its object goes, unless something else holds it. */
export async function releaseUpload(deps: FileObjectDeps, commandId: string): Promise<string[]> {
  const command = await findCommand(deps.pool, commandId);
  const sha256 = (command?.payload as { sha256?: unknown } | undefined)?.sha256;
  if (command?.type !== 'attach-file' || typeof sha256 !== 'string') return [];
  return releaseObjects(deps, [sha256]);
}

async function deleteBytes(store: FileStore, sha256: string): Promise<void> {
  await store.delete('thumbnails', sha256);
  await store.delete('objects', sha256);
}

export type FileSweepResult = { temps: number; objects: number; strays: number };

/**
 * What crashes and refused uploads leave in the file store, older than graceMs: temporary
 * objects (an upload cut off with its process), objects that nothing holds (their command
 * was rejected, or never stored), and objects or thumbnails the database does not know.
 */
export async function sweepFiles(
  deps: FileObjectDeps,
  options: { graceMs: number; batchSize: number },
): Promise<FileSweepResult> {
  const before = Date.now() - options.graceMs;
  const result: FileSweepResult = { temps: 0, objects: 0, strays: 0 };
  for await (const temp of deps.store.listTemps()) {
    if (temp.modifiedAt.getTime() >= before) continue;
    await deps.store.deleteTemp(temp.id);
    result.temps += 1;
  }
  for (;;) {
    const round = await inTransaction(deps.pool, async (client) => {
      const hashes = await lockUnreferencedObjects(client, options.graceMs, options.batchSize);
      for (const sha256 of hashes) {
        await deleteBytes(deps.store, sha256);
        await deleteObjectRow(client, sha256);
      }
      return hashes.length;
    });
    result.objects += round;
    if (round < options.batchSize) break;
  }
  for (const area of ['objects', 'thumbnails'] as const) {
    let page: string[] = [];
    const flush = async () => {
      const known = await knownObjects(deps.pool, page);
      for (const sha256 of page) {
        if (known.has(sha256)) continue;
        await deps.store.delete(area, sha256);
        result.strays += 1;
      }
      page = [];
    };
    for await (const object of deps.store.list(area)) {
      if (object.modifiedAt.getTime() >= before) continue;
      page.push(object.sha256);
      if (page.length >= options.batchSize) await flush();
    }
    if (page.length > 0) await flush();
  }
  return result;
}
