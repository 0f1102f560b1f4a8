import { createHash } from 'node:crypto';
import { PassThrough, type Readable } from 'node:stream';
import yauzl from 'yauzl';
import yazl from 'yazl';
import { ARCHIVE_BUNDLE_NAME, ARCHIVE_FILES_DIR } from '../../domain/index.ts';

// A case exported with its files (docs/audit-format.md, "Archives"): a zip of bundle.json and
// files/<sha256>, written as a stream (each file is read from the store when its turn comes)
// and read back entry by entry, each file hashed as it streams.

export type ArchiveFile = { sha256: string; size: number; open: () => Promise<Readable> };

/** The zip as a stream. Files are stored, not compressed: evidence is mostly compressed already. */
export function writeBundleArchive(bundleJson: Buffer, files: readonly ArchiveFile[]): Readable {
  const zip = new yazl.ZipFile();
  zip.addBuffer(bundleJson, ARCHIVE_BUNDLE_NAME, { compress: true });
  for (const file of files) {
    zip.addReadStreamLazy(`${ARCHIVE_FILES_DIR}${file.sha256}`, { compress: false, size: file.size }, (done) => {
      file.open().then(
        (stream) => done(null, stream),
        (error: Error) => done(error, new PassThrough()),
      );
    });
  }
  zip.end();
  const output = zip.outputStream as Readable;
  zip.on('error', (error: Error) => output.destroy(error));
  return output;
}

export type ReadArchive = {
  bundleText: string;
  /** Entry name under files/ → the SHA-256 of its bytes. */
  files: Map<string, string>;
  /** Entries that are neither bundle.json nor under files/. */
  unexpected: string[];
};

/** The largest bundle.json read into memory. */
const MAX_BUNDLE_BYTES = 512 * 1024 * 1024;

/** Reads an archive: bundle.json whole, every file hashed as it streams. Throws on a broken zip. */
export async function readBundleArchive(path: string): Promise<ReadArchive> {
  const zip = await new Promise<yauzl.ZipFile>((resolve, reject) =>
    yauzl.open(path, { lazyEntries: true, validateEntrySizes: true, strictFileNames: true }, (error, opened) =>
      error ? reject(error) : resolve(opened),
    ),
  );
  const result: ReadArchive = { bundleText: '', files: new Map(), unexpected: [] };
  let bundleSeen = false;
  try {
    await new Promise<void>((resolve, reject) => {
      zip.on('error', reject);
      zip.on('end', () => resolve());
      zip.on('entry', (entry: yauzl.Entry) => {
        const name = entry.fileName;
        const handle = async () => {
          if (name.endsWith('/')) return;
          if (name === ARCHIVE_BUNDLE_NAME) {
            if (bundleSeen || entry.uncompressedSize > MAX_BUNDLE_BYTES) throw new Error(`${name}: twice or too large`);
            bundleSeen = true;
            result.bundleText = (await collect(await zip.openReadStreamPromise(entry))).toString('utf8');
          } else if (name.startsWith(ARCHIVE_FILES_DIR) && !name.slice(ARCHIVE_FILES_DIR.length).includes('/')) {
            const key = name.slice(ARCHIVE_FILES_DIR.length);
            if (result.files.has(key)) throw new Error(`${name} appears twice`);
            result.files.set(key, await hash(await zip.openReadStreamPromise(entry)));
          } else {
            result.unexpected.push(name);
          }
        };
        handle().then(() => zip.readEntry(), reject);
      });
      zip.readEntry();
    });
  } finally {
    zip.close();
  }
  if (!bundleSeen) throw new Error(`the archive holds no ${ARCHIVE_BUNDLE_NAME}`);
  return result;
}

/** Whether a file starts like a zip (local file header). */
export function isZip(head: Uint8Array): boolean {
  return head[0] === 0x50 && head[1] === 0x4b && head[2] === 0x03 && head[3] === 0x04;
}

async function collect(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

async function hash(stream: Readable): Promise<string> {
  const digest = createHash('sha256');
  for await (const chunk of stream) digest.update(chunk as Buffer);
  return digest.digest('hex');
}
