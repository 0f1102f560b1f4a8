import { randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, open, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import {
  assertSha256,
  assertTempId,
  type ByteRange,
  type FileStore,
  type ObjectArea,
  type StoredObject,
  type TempObject,
} from './file-store.ts';

/**
 * A file store in a directory: `tmp/<id>` while an upload runs, then `objects/<aa>/<sha256>`
 * (and `thumbnails/<aa>/<sha256>`), where aa is the hash's first two characters. A write is
 * fsynced before its rename and the directory after it, so after a crash an object is
 * either whole or absent; leftovers in tmp/ are the sweeper's.
 */
export async function openLocalStore(root: string): Promise<FileStore> {
  const tmp = join(root, 'tmp');
  await mkdir(tmp, { recursive: true });
  const objectPath = (area: ObjectArea, sha256: string) => {
    assertSha256(sha256);
    return join(root, area, sha256.slice(0, 2), sha256);
  };
  const tempPath = (id: string) => {
    assertTempId(id);
    return join(tmp, id);
  };

  /** Renames a finished temporary file into place and makes the rename durable. */
  const place = async (from: string, area: ObjectArea, sha256: string) => {
    const to = objectPath(area, sha256);
    const dir = join(root, area, sha256.slice(0, 2));
    await mkdir(dir, { recursive: true });
    await rename(from, to);
    await syncDirectory(dir);
  };

  return {
    kind: 'file',
    location: `file://${root}`,
    async writeTemp(source: Readable) {
      const id = randomUUID();
      const path = tempPath(id);
      try {
        // flush: fsync before close, so a committed object never holds a torn tail.
        await pipeline(source, createWriteStream(path, { flags: 'wx', flush: true }));
      } catch (error) {
        await rm(path, { force: true });
        throw error;
      }
      return id;
    },
    async commitTemp(id, sha256) {
      await place(tempPath(id), 'objects', sha256);
    },
    async deleteTemp(id) {
      await rm(tempPath(id), { force: true });
    },
    async read(area, sha256, range?: ByteRange) {
      let handle: Awaited<ReturnType<typeof open>>;
      try {
        handle = await open(objectPath(area, sha256), 'r');
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
        throw error;
      }
      return handle.createReadStream(range === undefined ? {} : { start: range.start, end: range.end });
    },
    async put(area, sha256, bytes) {
      const path = tempPath(randomUUID());
      try {
        await writeFile(path, bytes, { flag: 'wx', flush: true });
        await place(path, area, sha256);
      } finally {
        await rm(path, { force: true });
      }
    },
    async exists(area, sha256) {
      try {
        return (await stat(objectPath(area, sha256))).isFile();
      } catch {
        return false;
      }
    },
    async delete(area, sha256) {
      await rm(objectPath(area, sha256), { force: true });
    },
    async *list(area): AsyncIterable<StoredObject> {
      for (const dir of await readdirOrEmpty(join(root, area))) {
        for (const name of await readdirOrEmpty(join(root, area, dir))) {
          const info = await stat(join(root, area, dir, name)).catch(() => null);
          if (info?.isFile()) yield { area, sha256: name, modifiedAt: info.mtime };
        }
      }
    },
    async *listTemps(): AsyncIterable<TempObject> {
      for (const name of await readdirOrEmpty(tmp)) {
        const info = await stat(join(tmp, name)).catch(() => null);
        if (info?.isFile()) yield { id: name, modifiedAt: info.mtime };
      }
    },
    async close() {},
  };
}

async function readdirOrEmpty(path: string): Promise<string[]> {
  try {
    return await readdir(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
}

async function syncDirectory(path: string): Promise<void> {
  const handle = await open(path, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
