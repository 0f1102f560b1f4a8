// The file stores of docs/design.md §10 pass the same suite: a directory, and an S3 bucket on
// an S3-compatible server this test starts on loopback (s3rver). Each runs the store's own
// operations, then uploads through the API: the same bytes on two cases, erasure, an upload
// cut off at half, a rejected upload, and the sweeper.
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { pipeline } from 'node:stream';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { applyCommand } from '../../src/app/apply-command.ts';
import { erasePersonalData } from '../../src/app/erase-personal-data.ts';
import { sweepFiles } from '../../src/app/file-objects.ts';
import { SYSTEM_ACTOR } from '../../src/domain/index.ts';
import type { FileStore } from '../../src/infra/files/file-store.ts';
import { openLocalStore } from '../../src/infra/files/local-store.ts';
import { createCommandProcessor } from '../../workers/command-job.ts';
import type { ProcessorDeps } from '../../workers/index.ts';
import { json, SLA, startApi, type ApiHarness, type TestUser } from '../support/api-harness.ts';
import { createTestDatabase, type TestDatabase } from '../support/databases.ts';
import { png, textStream } from '../support/file-samples.ts';
import { submitBody } from '../support/fixtures.ts';
import { multipart, multipartStream } from '../support/multipart.ts';
import { startS3, type TestS3 } from '../support/s3-server.ts';

const silent = pino({ level: 'silent' });
const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

let s3: TestS3 | { unavailable: string };
let localRoot: string;

beforeAll(async () => {
  localRoot = await mkdtemp(join(tmpdir(), 'casetrail-store-'));
  s3 = await startS3();
  if ('unavailable' in s3) console.warn(`file-store suite: S3 skipped: ${s3.unavailable}`);
});

afterAll(async () => {
  if (s3 !== undefined && !('unavailable' in s3)) await s3.close();
  if (localRoot !== undefined) await rm(localRoot, { recursive: true, force: true });
});

const STORES = [
  { kind: 'file', open: async () => openLocalStore(join(localRoot, randomUUID())) },
  {
    kind: 's3',
    open: async () => {
      if ('unavailable' in s3) return null;
      return s3.store(`run-${randomUUID()}/`);
    },
  },
] as const;

async function listAll<T>(items: AsyncIterable<T>): Promise<T[]> {
  const all: T[] = [];
  for await (const item of items) all.push(item);
  return all;
}

async function readAll(stream: Readable | null): Promise<Buffer> {
  if (stream === null) throw new Error('no such object');
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

describe.each(STORES)('the $kind store', ({ kind, open }) => {
  let store: FileStore;
  let db: TestDatabase;
  let api: ApiHarness;
  let clerk: TestUser;
  let deps: ProcessorDeps;

  beforeAll(async () => {
    const opened = await open();
    if (opened === null) return;
    store = opened;
    db = await createTestDatabase();
    api = await startApi(db, { files: { store, maxBytes: 64 * 1024 * 1024 } });
    clerk = await api.user(['clerk']);
    deps = { pool: api.database.pool, log: silent, hmacKey: randomBytes(32), sla: SLA, claimLeaseMs: 1_800_000, store };
  });

  afterAll(async () => {
    await api?.close();
    await db?.drop();
  });

  const skip = () => {
    if (store !== undefined) return false;
    console.warn(`file-store suite: the ${kind} store is not available here; its tests pass without running`);
    return true;
  };

  async function newCase(): Promise<string> {
    const n = randomUUID();
    const response = await api.app.inject({
      method: 'POST',
      url: '/v1/cases',
      headers: clerk.auth,
      payload: submitBody({ url: `https://www.facebook.com/groups/store/posts/${n}`, content: `Store ${n}` }),
    });
    await api.applyPending();
    return json<{ caseId: string }>(response).caseId;
  }

  async function upload(caseId: string, bytes: Buffer): Promise<{ commandId: string }> {
    const { body, headers } = multipart([], { bytes, filename: 'x.png' });
    const response = await api.app.inject({
      method: 'POST',
      url: `/v1/cases/${caseId}/files`,
      headers: { ...clerk.auth, ...headers },
      payload: body,
    });
    expect(response.statusCode, response.body).toBe(202);
    return json<{ commandId: string }>(response);
  }

  const objects = async () => (await listAll(store.list('objects'))).map((o) => o.sha256).toSorted();
  const temps = async () => listAll(store.listTemps());

  it('writes through a temporary object, reads whole and by range, and keeps equal bytes once', async () => {
    if (skip()) return;
    const bytes = randomBytes(300_000);
    const hash = sha256(bytes);
    for (let i = 0; i < 2; i++) {
      const temp = await store.writeTemp(Readable.from([bytes.subarray(0, 100_000), bytes.subarray(100_000)]));
      expect(await temps()).toHaveLength(1);
      await store.commitTemp(temp, hash);
      expect(await temps()).toEqual([]);
    }
    expect((await objects()).filter((o) => o === hash)).toEqual([hash]);
    expect(await store.exists('objects', hash)).toBe(true);
    expect((await readAll(await store.read('objects', hash))).equals(bytes)).toBe(true);
    expect(
      (await readAll(await store.read('objects', hash, { start: 1000, end: 1999 }))).equals(bytes.subarray(1000, 2000)),
    ).toBe(true);
    await store.put('thumbnails', hash, Buffer.from('webp'));
    expect((await readAll(await store.read('thumbnails', hash))).toString()).toBe('webp');
    await store.delete('objects', hash);
    await store.delete('thumbnails', hash);
    await store.delete('objects', hash); // deleting twice is harmless
    expect(await store.read('objects', hash)).toBeNull();
    expect(await store.exists('thumbnails', hash)).toBe(false);
  });

  it('leaves no temporary object when the source fails mid-way', async () => {
    if (skip()) return;
    const source = new PassThrough();
    const written = store.writeTemp(source);
    source.write(randomBytes(6 * 1024 * 1024));
    source.write(randomBytes(6 * 1024 * 1024));
    setImmediate(() => source.destroy(new Error('client went away')));
    await expect(written).rejects.toThrow('client went away');
    expect(await temps()).toEqual([]);
  });

  it('stores the same file on two cases once, and deletes it only when both cases are erased', async () => {
    if (skip()) return;
    const [first, second] = [await newCase(), await newCase()];
    const bytes = await png(7);
    await upload(first, bytes);
    await upload(second, bytes);
    await api.applyPending();
    expect((await objects()).filter((o) => o === sha256(bytes))).toHaveLength(1);
    const erase = (caseId: string) =>
      erasePersonalData({ pool: api.database.pool, log: silent, store }, SYSTEM_ACTOR, { caseId, reason: 'retention' });
    expect(await erase(first)).toMatchObject({ ok: true, objectsDeleted: 0 });
    expect(await store.exists('objects', sha256(bytes))).toBe(true);
    expect(await erase(second)).toMatchObject({ ok: true, objectsDeleted: 1 });
    expect(await store.exists('objects', sha256(bytes))).toBe(false);
  });

  it('keeps no object, no temporary object and no event of an upload cut off at half', async () => {
    if (skip()) return;
    const caseId = await newCase();
    const before = await objects();
    // Count what the server received, to cut the upload once it is well under way.
    let received = 0;
    const counting: FileStore = {
      ...store,
      writeTemp: (source) => {
        const counter = new PassThrough();
        counter.on('data', (chunk: Buffer) => {
          received += chunk.length;
        });
        pipeline(source, counter, () => undefined);
        return store.writeTemp(counter);
      },
    };
    const server = await startApi(db, { files: { store: counting, maxBytes: 64 * 1024 * 1024 } });
    try {
      await server.app.listen({ host: '127.0.0.1', port: 0 });
      const address = server.app.server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      const size = 32 * 1024 * 1024;
      const { body, length, headers } = multipartStream([], { stream: textStream(size), size, filename: 'cut.txt' });
      const request = httpRequest({
        host: '127.0.0.1',
        port,
        method: 'POST',
        path: `/v1/cases/${caseId}/files`,
        headers: { ...clerk.auth, ...headers, 'content-length': String(length) },
      });
      request.on('error', () => undefined);
      let sent = 0;
      for await (const chunk of body) {
        if (sent >= length / 2) break;
        sent += (chunk as Buffer).length;
        if (!request.write(chunk)) await new Promise((resolve) => request.once('drain', resolve));
      }
      await vi.waitFor(() => expect(received).toBeGreaterThan(12 * 1024 * 1024), { timeout: 20_000, interval: 20 });
      request.destroy();
      await vi.waitFor(async () => expect(await temps()).toEqual([]), { timeout: 20_000, interval: 50 });
      expect(received).toBeLessThan(size);
    } finally {
      await server.close();
    }
    expect(await objects()).toEqual(before);
    const { rows } = await api.database.pool.query(
      "SELECT (SELECT count(*)::int FROM events WHERE case_id = $1 AND type = 'case.file_attached') AS events, (SELECT count(*)::int FROM commands WHERE case_id = $1 AND type = 'attach-file') AS commands",
      [caseId],
    );
    expect(rows[0]).toEqual({ events: 0, commands: 0 });
  });

  it('deletes the bytes of an upload whose command the worker rejects, and appends no event', async () => {
    if (skip()) return;
    const caseId = await newCase();
    const bytes = await png(9);
    const { commandId } = await upload(caseId, bytes);
    expect(await store.exists('objects', sha256(bytes))).toBe(true);
    // The case closes before the upload's command is applied: attach-file is refused then.
    const supervisor = await api.user(['supervisor']);
    const withdraw = await api.app.inject({
      method: 'POST',
      url: `/v1/cases/${caseId}/withdraw`,
      headers: supervisor.auth,
      payload: { reason: 'reported in error' },
    });
    await applyCommand(deps, json<{ commandId: string }>(withdraw).commandId);
    const process = createCommandProcessor('verification', deps);
    const result = await process({
      id: 'job-1',
      name: 'attach-file',
      data: { commandId },
      timestamp: Date.now(),
    } as never);
    expect(result).toMatchObject({ status: 'rejected', code: 'invalid_transition' });
    expect(await store.exists('objects', sha256(bytes))).toBe(false);
    const { rows } = await api.database.pool.query(
      "SELECT count(*)::int AS n FROM events WHERE case_id = $1 AND type = 'case.file_attached'",
      [caseId],
    );
    expect(rows[0].n).toBe(0);
  });

  it('sweeps temporary objects and objects nothing holds once they are older than the grace period', async () => {
    if (skip()) return;
    const caseId = await newCase();
    const held = await png(13);
    await upload(caseId, held);
    await api.applyPending();
    const stray = randomBytes(1000);
    const temp = await store.writeTemp(Readable.from([stray]));
    const orphan = await store.writeTemp(Readable.from([randomBytes(2000)]));
    const orphanHash = sha256(randomBytes(8));
    await store.commitTemp(orphan, orphanHash);
    const sweepDeps = { pool: api.database.pool, log: silent, store };
    expect(await sweepFiles(sweepDeps, { graceMs: 3_600_000, batchSize: 10 })).toEqual({
      temps: 0,
      objects: 0,
      strays: 0,
    });
    const swept = await sweepFiles(sweepDeps, { graceMs: 0, batchSize: 10 });
    expect(swept.temps).toBeGreaterThanOrEqual(1);
    expect(swept.strays).toBeGreaterThanOrEqual(1);
    expect((await temps()).map((t) => t.id)).not.toContain(temp);
    expect(await store.exists('objects', orphanHash)).toBe(false);
    expect(await store.exists('objects', sha256(held))).toBe(true);
  });
});
