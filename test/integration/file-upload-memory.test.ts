// A 1 GiB upload streams through the API process (docs/design.md §10: "never held whole in
// memory"): the server runs as a child process, as deployed, and its resident set is sampled
// from /proc while the body, generated as it is sent, goes through. It grows less than 64 MiB.
import { createHash, randomBytes } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startChildSystem, type ChildSystem, type ChildUser } from '../support/child-system.ts';
import { createTestDatabase, type TestDatabase } from '../support/databases.ts';
import { submitBody } from '../support/fixtures.ts';
import { multipartStream } from '../support/multipart.ts';
import { deleteKeys } from '../support/queue-harness.ts';

const GIB = 1024 * 1024 * 1024;
const LIMIT_MIB = 64;

let db: TestDatabase;
let system: ChildSystem;
let prefix: string;
let clerk: ChildUser;

/** An MP4 of `size` bytes: an ftyp box, then one 1 MiB chunk over and over (made as it is read). */
function videoStream(size: number): { stream: Readable; sha256: Promise<string> } {
  const ftyp = Buffer.concat([
    Buffer.from([0, 0, 0, 0x18]),
    Buffer.from('ftypisom', 'latin1'),
    Buffer.from([0, 0, 2, 0]),
    Buffer.from('isommp41', 'latin1'),
  ]);
  const chunk = randomBytes(1024 * 1024);
  const hash = createHash('sha256');
  let sent = 0;
  let resolveHash: (hex: string) => void = () => undefined;
  const sha256 = new Promise<string>((resolve) => {
    resolveHash = resolve;
  });
  const stream = new Readable({
    read() {
      if (sent >= size) {
        resolveHash(hash.digest('hex'));
        this.push(null);
        return;
      }
      const next = sent === 0 ? ftyp : chunk.subarray(0, Math.min(chunk.length, size - sent));
      sent += next.length;
      hash.update(next);
      this.push(next);
    },
  });
  return { stream, sha256 };
}

async function rssBytes(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const kib = /^VmRSS:\s+(\d+) kB$/mu.exec(status)?.[1];
  if (kib === undefined) throw new Error(`no VmRSS for process ${pid}`);
  return Number(kib) * 1024;
}

async function newCase(): Promise<string> {
  const response = await fetch(`${system.baseUrl}/v1/cases?wait=true`, {
    method: 'POST',
    headers: { authorization: `Bearer ${clerk.token}`, 'content-type': 'application/json' },
    body: JSON.stringify(
      submitBody({ url: `https://www.facebook.com/groups/big/posts/${randomBytes(6).toString('hex')}` }),
    ),
    signal: AbortSignal.timeout(30_000),
  });
  if (response.status !== 201) throw new Error(`submit answered ${response.status}`);
  return String(((await response.json()) as { id: string }).id);
}

/** Streams an upload of `size` bytes; resolves with the status and the body's SHA-256. */
async function upload(caseId: string, size: number): Promise<{ status: number; sha256: string }> {
  const video = videoStream(size);
  const { body, length, headers } = multipartStream([{ name: 'kind', value: 'video' }], {
    stream: video.stream,
    size,
    filename: 'big.mp4',
  });
  const url = new URL(system.baseUrl);
  const status = await new Promise<number>((resolve, reject) => {
    const request = httpRequest({
      host: url.hostname,
      port: url.port,
      method: 'POST',
      path: `/v1/cases/${caseId}/files`,
      headers: { authorization: `Bearer ${clerk.token}`, ...headers, 'content-length': String(length) },
      timeout: 120_000,
    });
    request.on('response', (response) => {
      response.resume();
      response.on('end', () => resolve(response.statusCode ?? 0));
    });
    request.on('error', reject);
    request.on('timeout', () => request.destroy(new Error('upload timed out')));
    body.pipe(request);
  });
  return { status, sha256: await video.sha256 };
}

beforeAll(async () => {
  db = await createTestDatabase();
  prefix = `${inject('bullmqPrefix')}-files-rss-${randomBytes(3).toString('hex')}`;
  system = await startChildSystem({
    databaseUrl: db.url,
    backend: 'redis',
    redisUrl: inject('redisUrl'),
    prefix,
    workers: 1,
    env: { CASETRAIL_FILE_MAX_BYTES: String(2 * GIB) },
  });
  clerk = await system.createUser(['clerk']);
}, 120_000);

afterAll(async () => {
  await system?.close();
  if (prefix !== undefined) await deleteKeys(inject('redisUrl'), `${prefix}:*`);
  await db?.drop();
});

describe('a 1 GiB upload', () => {
  it(`streams through the API process, whose resident set grows less than ${LIMIT_MIB} MiB`, async () => {
    const caseId = await newCase();
    // Warm up: the first upload loads the multipart parser, type detection and the store.
    expect((await upload(caseId, 32 * 1024 * 1024)).status).toBe(202);

    const pid = system.api.pid;
    const baseline = await rssBytes(pid);
    let peak = baseline;
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        peak = Math.max(peak, await rssBytes(pid));
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
    })();
    const started = Date.now();
    let result: { status: number; sha256: string };
    try {
      result = await upload(caseId, GIB);
    } finally {
      sampling = false;
      await sampler;
    }
    const seconds = (Date.now() - started) / 1000;
    const growthMiB = (peak - baseline) / (1024 * 1024);
    console.log(
      `1 GiB upload: ${seconds.toFixed(1)} s (${(1024 / seconds).toFixed(0)} MiB/s), API RSS ${(baseline / 1048576).toFixed(0)} → peak ${(peak / 1048576).toFixed(0)} MiB, growth ${growthMiB.toFixed(1)} MiB`,
    );
    expect(result.status).toBe(202);
    const stored = join(
      system.env.CASETRAIL_DATA_DIR as string,
      'files',
      'objects',
      result.sha256.slice(0, 2),
      result.sha256,
    );
    expect((await stat(stored)).size).toBe(GIB);
    expect(growthMiB).toBeLessThan(LIMIT_MIB);
  }, 180_000);
});
