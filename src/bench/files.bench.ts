import { randomBytes, randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { buildServer } from '../api/server.ts';
import { applyCommand } from '../app/apply-command.ts';
import { createUser } from '../app/users.ts';
import { createCommandWaiter } from '../infra/db/command-waiter.ts';
import { openDatabase } from '../infra/db/database.ts';
import { openLocalStore } from '../infra/files/local-store.ts';
import type { Logger } from '../infra/logger.ts';
import { submitRequest } from './bench-bodies.ts';
import { createBenchDatabase, median, round, rssSampler } from './bench-services.ts';

export type FilesBenchOptions = {
  adminUrl: string;
  /** Size of the file uploaded and downloaded, in MiB. */
  fileMib: number;
  /** Measured rounds of each operation, interleaved with the baseline; medians reported. */
  rounds: number;
  log: Logger;
};

export type FilesBenchResult = {
  scenario: 'files';
  fileMib: number;
  store: string;
  uploadMibPerSec: number;
  downloadMibPerSec: number;
  /** The baseline: the same bytes copied from one file to another on the same disk, fsynced. */
  copyMibPerSec: number;
  uploadRatio: number;
  downloadRatio: number;
  rounds: { upload: number[]; download: number[]; copy: number[] };
  peakRssMb: number;
};

const BOUNDARY = '----casetrail-bench-files';

/**
 * Evidence files over HTTP against the disk they land on: a file of fileMib MiB is uploaded
 * (multipart, streamed from disk; the server hashes, types and fsyncs it into a directory
 * store) and downloaded whole, and, in the same run, the same bytes are copied from file to
 * file on the same disk with an fsync: the most an upload could reach there.
 */
export async function runFilesBench(options: FilesBenchOptions): Promise<FilesBenchResult> {
  const rss = rssSampler();
  const dir = await mkdtemp(join(tmpdir(), 'casetrail-bench-files-'));
  const db = await createBenchDatabase(options.adminUrl);
  const database = openDatabase(db.url, { poolSize: 5, log: options.log });
  const waiter = createCommandWaiter({ pool: database.pool, log: options.log });
  try {
    const store = await openLocalStore(join(dir, 'store'));
    const app = await buildServer({
      log: options.log,
      pool: database.pool,
      prisma: database.prisma,
      health: { database: async () => true, queues: async () => true },
      commandWaiter: waiter,
      secretsKey: randomBytes(32),
      files: { store, maxBytes: (options.fileMib + 1) * 1024 * 1024 },
      options: { rateLimit: { max: 10_000_000, addressMax: 10_000_000, authFailures: 10_000_000, windowMs: 60_000 } },
    });
    await app.listen({ host: '127.0.0.1', port: 0 });
    const address = app.server.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    try {
      const created = await createUser(database, { name: `bench-clerk-${randomUUID()}`, roles: ['clerk'] });
      if (!created.ok) throw new Error(created.detail);
      const auth = { authorization: `Bearer ${created.user.token}` };
      const submitted = await send(port, 'POST', '/v1/cases', auth, JSON.stringify(submitRequest(0)));
      const caseId = String((JSON.parse(submitted.body) as { caseId: string }).caseId);
      const apply = {
        pool: database.pool,
        hmacKey: randomBytes(32),
        sla: SLA,
        claimLeaseMs: 1_800_000,
        log: options.log,
      };
      await applyCommand(apply, String((JSON.parse(submitted.body) as { commandId: string }).commandId));

      const source = join(dir, 'source.mp4');
      await writeVideo(source, options.fileMib * 1024 * 1024);
      const size = (await stat(source)).size;
      const rounds = { upload: [] as number[], download: [] as number[], copy: [] as number[] };
      let fileId = '';
      for (let i = 0; i < options.rounds; i++) {
        rounds.copy.push(await timed(size, () => copy(source, join(dir, `copy-${i}`))));
        await rm(join(dir, `copy-${i}`), { force: true });
        let commandId = '';
        rounds.upload.push(
          await timed(size, async () => {
            const answer = await upload(port, caseId, auth, source, size);
            commandId = answer.commandId;
          }),
        );
        await applyCommand(apply, commandId);
        if (fileId === '') {
          const list = await send(port, 'GET', `/v1/cases/${caseId}/files`, auth);
          fileId = String((JSON.parse(list.body) as { items: { id: string }[] }).items[0]?.id);
        }
        rounds.download.push(
          await timed(size, () => download(port, `/v1/cases/${caseId}/files/${fileId}`, auth, size)),
        );
      }
      const uploadMibPerSec = median(rounds.upload);
      const downloadMibPerSec = median(rounds.download);
      const copyMibPerSec = median(rounds.copy);
      return {
        scenario: 'files',
        fileMib: options.fileMib,
        store: 'file',
        uploadMibPerSec,
        downloadMibPerSec,
        copyMibPerSec,
        uploadRatio: round(uploadMibPerSec / copyMibPerSec),
        downloadRatio: round(downloadMibPerSec / copyMibPerSec),
        rounds,
        peakRssMb: rss.peakMb(),
      };
    } finally {
      await app.close();
    }
  } finally {
    rss.stop();
    await waiter.close();
    await database.close();
    await db.drop();
    await rm(dir, { recursive: true, force: true });
  }
}

const SLA = { received: 86_400_000, verified: 172_800_000, referred: 2_592_000_000, penalty_issued: 5_184_000_000 };

/** MiB per second of one run of `work` over `size` bytes. */
async function timed(size: number, work: () => Promise<void>): Promise<number> {
  const started = process.hrtime.bigint();
  await work();
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  return round(size / 1024 / 1024 / seconds, 1);
}

/** An MP4 (an ftyp box, then random bytes) written to disk once. */
async function writeVideo(path: string, size: number): Promise<void> {
  const ftyp = Buffer.concat([Buffer.from([0, 0, 0, 0x18]), Buffer.from('ftypisom\0\0\x02\0isommp41', 'latin1')]);
  const chunk = randomBytes(1024 * 1024);
  async function* bytes() {
    yield ftyp;
    for (let left = size - ftyp.length; left > 0; left -= chunk.length)
      yield chunk.subarray(0, Math.min(left, chunk.length));
  }
  await pipeline(Readable.from(bytes()), createWriteStream(path, { flush: true }));
}

async function copy(from: string, to: string): Promise<void> {
  await pipeline(createReadStream(from), createWriteStream(to, { flush: true }));
}

function send(
  port: number,
  method: string,
  path: string,
  headers: Record<string, string>,
  body?: string,
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const request = httpRequest(
      {
        host: '127.0.0.1',
        port,
        method,
        path,
        headers: { ...headers, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks).toString() }));
      },
    );
    request.on('error', reject);
    request.end(body);
  });
}

async function upload(
  port: number,
  caseId: string,
  headers: Record<string, string>,
  source: string,
  size: number,
): Promise<{ commandId: string }> {
  const head = Buffer.from(
    `--${BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="bench.mp4"\r\nContent-Type: video/mp4\r\n\r\n`,
  );
  const tail = Buffer.from(`\r\n--${BOUNDARY}--\r\n`);
  async function* body() {
    yield head;
    yield* createReadStream(source);
    yield tail;
  }
  const answer = await new Promise<{ status: number; body: string }>((resolve, reject) => {
    const request = httpRequest(
      {
        host: '127.0.0.1',
        port,
        method: 'POST',
        path: `/v1/cases/${caseId}/files`,
        headers: {
          ...headers,
          'content-type': `multipart/form-data; boundary=${BOUNDARY}`,
          'content-length': String(head.length + size + tail.length),
        },
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks).toString() }));
      },
    );
    request.on('error', reject);
    Readable.from(body()).pipe(request);
  });
  if (answer.status !== 202) throw new Error(`upload answered ${answer.status}: ${answer.body.slice(0, 200)}`);
  return JSON.parse(answer.body) as { commandId: string };
}

async function download(port: number, path: string, headers: Record<string, string>, size: number): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const request = httpRequest({ host: '127.0.0.1', port, method: 'GET', path, headers }, (response) => {
      let received = 0;
      if (response.statusCode !== 200) reject(new Error(`download answered ${response.statusCode}`));
      response
        .pipe(
          new Writable({
            write(chunk: Buffer, _encoding, done) {
              received += chunk.length;
              done();
            },
          }),
        )
        .on('finish', () =>
          received === size ? resolve() : reject(new Error(`downloaded ${received} bytes of ${size}`)),
        );
    });
    request.on('error', reject);
    request.end();
  });
}
