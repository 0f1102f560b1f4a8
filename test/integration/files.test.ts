// Evidence files through the API (docs/design.md §10): upload, list, download with Range,
// thumbnails, bad input, the same bytes on two cases, erasure; against a directory store.
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHash, randomUUID } from 'node:crypto';
import { pino } from 'pino';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { erasePersonalData } from '../../src/app/erase-personal-data.ts';
import { SYSTEM_ACTOR } from '../../src/domain/index.ts';
import { readBundleArchive } from '../../src/infra/files/bundle-archive.ts';
import type { FileStore } from '../../src/infra/files/file-store.ts';
import { openLocalStore } from '../../src/infra/files/local-store.ts';
import { json, startApi, type ApiHarness, type TestUser } from '../support/api-harness.ts';
import { runCli } from '../support/cli.ts';
import { createTestDatabase, type TestDatabase } from '../support/databases.ts';
import { acceptedSamples, png, REFUSED_SAMPLES } from '../support/file-samples.ts';
import { submitBody } from '../support/fixtures.ts';
import { multipart, type Field } from '../support/multipart.ts';

const MAX_BYTES = 256 * 1024;
const silent = pino({ level: 'silent' });

let db: TestDatabase;
let api: ApiHarness;
let root: string;
let store: FileStore;
let clerk: TestUser;
let clerk2: TestUser;
let verifier: TestUser;
let supervisor: TestUser;
let admin: TestUser;

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

async function storedObjects(): Promise<string[]> {
  const names: string[] = [];
  for (const area of ['objects', 'tmp']) {
    const top = await readdir(join(root, area)).catch(() => [] as string[]);
    for (const entry of top) {
      if (area === 'tmp') names.push(`tmp/${entry}`);
      else for (const name of await readdir(join(root, area, entry))) names.push(name);
    }
  }
  return names;
}

async function newCase(by: TestUser = clerk): Promise<string> {
  const n = randomUUID();
  const response = await api.app.inject({
    method: 'POST',
    url: '/v1/cases',
    headers: by.auth,
    payload: submitBody({ url: `https://www.facebook.com/groups/files/posts/${n}`, content: `Files test ${n}` }),
  });
  expect(response.statusCode).toBe(202);
  await api.applyPending();
  return json<{ caseId: string }>(response).caseId;
}

async function upload(
  caseId: string,
  by: TestUser,
  file: { bytes: Uint8Array; filename?: string; contentType?: string; name?: string },
  fields: Field[] = [],
  options: { trailing?: Field[]; headers?: Record<string, string> } = {},
) {
  const { body, headers } = multipart(fields, file, options.trailing);
  return api.app.inject({
    method: 'POST',
    url: `/v1/cases/${caseId}/files`,
    headers: { ...by.auth, ...headers, ...options.headers },
    payload: body,
  });
}

/** Uploads and applies: the file as GET .../files lists it. */
async function attach(caseId: string, by: TestUser, bytes: Uint8Array, fields: Field[] = [], filename = 'shot.png') {
  const response = await upload(caseId, by, { bytes, filename }, fields);
  expect(response.statusCode, response.body).toBe(202);
  await api.applyPending();
  const list = await api.app.inject({ method: 'GET', url: `/v1/cases/${caseId}/files`, headers: by.auth });
  const items = json<{ items: Record<string, unknown>[] }>(list).items;
  return items.at(-1) as Record<string, unknown> & { id: string; sha256: string };
}

beforeAll(async () => {
  db = await createTestDatabase();
  root = await mkdtemp(join(tmpdir(), 'casetrail-files-'));
  store = await openLocalStore(root);
  api = await startApi(db, { files: { store, maxBytes: MAX_BYTES } });
  [clerk, clerk2, verifier, supervisor, admin] = await Promise.all([
    api.user(['clerk']),
    api.user(['clerk']),
    api.user(['verifier']),
    api.user(['supervisor']),
    api.user(['admin']),
  ]);
});

afterAll(async () => {
  await api?.close();
  await db?.drop();
  if (root !== undefined) await rm(root, { recursive: true, force: true });
});

describe('uploading evidence files', () => {
  it('accepts every type of docs/design.md §10, detected from the bytes whatever the name and header say', async () => {
    const caseId = await newCase();
    const samples = await acceptedSamples();
    for (const [name, sample] of Object.entries(samples)) {
      const response = await upload(caseId, supervisor, {
        bytes: sample.bytes,
        filename: `${name}.bin`,
        contentType: 'application/x-whatever',
      });
      expect(response.statusCode, `${name}: ${response.body}`).toBe(202);
    }
    await api.applyPending();
    const list = json<{ items: { mediaType: string; sha256: string; size: number }[] }>(
      await api.app.inject({ method: 'GET', url: `/v1/cases/${caseId}/files`, headers: supervisor.auth }),
    );
    expect(list.items.map((f) => f.mediaType)).toEqual(Object.values(samples).map((s) => s.mediaType));
    expect(list.items.map((f) => f.sha256)).toEqual(Object.values(samples).map((s) => sha256(s.bytes)));
  });

  it('answers 202, then appends case.file_attached with the hash and no name or description', async () => {
    const caseId = await newCase();
    const bytes = await png(11);
    const response = await upload(caseId, clerk, { bytes, filename: 'bài viết.png' }, [
      { name: 'kind', value: 'screenshot' },
      { name: 'description', value: 'Ảnh chụp của Nguyễn Văn A' },
    ]);
    expect(response.statusCode, response.body).toBe(202);
    expect(json(response)).toMatchObject({ caseId, status: 'pending' });
    expect(response.headers.location).toMatch(/^\/v1\/commands\//u);
    await api.applyPending();

    const events = json<{ items: { type: string; payload: Record<string, unknown> }[] }>(
      await api.app.inject({ method: 'GET', url: `/v1/cases/${caseId}/events`, headers: clerk.auth }),
    ).items;
    const attached = events.find((e) => e.type === 'case.file_attached');
    expect(attached?.payload).toEqual({
      fileId: expect.any(String),
      sha256: sha256(bytes),
      size: bytes.length,
      mediaType: 'image/png',
      kind: 'screenshot',
    });
    expect(JSON.stringify(events)).not.toMatch(/bài viết|Nguyễn/u);
    const files = json<{ items: Record<string, unknown>[] }>(
      await api.app.inject({ method: 'GET', url: `/v1/cases/${caseId}/files`, headers: clerk.auth }),
    ).items;
    expect(files).toEqual([
      expect.objectContaining({
        id: attached?.payload.fileId,
        name: 'bài viết.png',
        description: 'Ảnh chụp của Nguyễn Văn A',
        kind: 'screenshot',
        thumbnail: true,
        erasedAt: null,
      }),
    ]);
  });

  it('serves the bytes as an attachment of the detected type, with ETag, nosniff and Range, and logs every download', async () => {
    const caseId = await newCase();
    const bytes = Buffer.from('<!DOCTYPE html><html><body><script>alert(1)</script></body></html>');
    const file = await attach(caseId, clerk, bytes, [], 'page.png');
    const url = `/v1/cases/${caseId}/files/${file.id}`;

    const whole = await api.app.inject({ method: 'GET', url, headers: supervisor.auth });
    expect(whole.statusCode).toBe(200);
    expect(whole.rawPayload.equals(bytes)).toBe(true);
    expect(whole.headers).toMatchObject({
      'content-type': 'text/html',
      'content-disposition': `attachment; filename="casetrail-${file.id}.html"`,
      'x-content-type-options': 'nosniff',
      etag: `"${sha256(bytes)}"`,
      'accept-ranges': 'bytes',
      'content-length': String(bytes.length),
    });

    const part = await api.app.inject({ method: 'GET', url, headers: { ...clerk.auth, range: 'bytes=2-10' } });
    expect(part.statusCode).toBe(206);
    expect(part.headers['content-range']).toBe(`bytes 2-10/${bytes.length}`);
    expect(part.rawPayload.equals(bytes.subarray(2, 11))).toBe(true);
    const tail = await api.app.inject({ method: 'GET', url, headers: { ...clerk.auth, range: 'bytes=-5' } });
    expect(tail.rawPayload.equals(bytes.subarray(-5))).toBe(true);

    const beyond = await api.app.inject({ method: 'GET', url, headers: { ...clerk.auth, range: 'bytes=9999-' } });
    expect(beyond.statusCode).toBe(416);
    expect(beyond.headers['content-range']).toBe(`bytes */${bytes.length}`);
    expect(json(beyond)).toMatchObject({ code: 'range_not_satisfiable' });

    const cached = await api.app.inject({
      method: 'GET',
      url,
      headers: { ...clerk.auth, 'if-none-match': `"${sha256(bytes)}"` },
    });
    expect(cached.statusCode).toBe(304);

    const { rows } = await db.pool.query<{ actor_id: string }>(
      "SELECT actor_id FROM access_log WHERE case_id = $1 AND action = 'case.file.download' ORDER BY id",
      [caseId],
    );
    expect(rows.map((r) => r.actor_id)).toEqual([supervisor.id, clerk.id, clerk.id]);
  });

  it('makes a small WebP thumbnail of an image, and none of other files', async () => {
    const caseId = await newCase();
    const big = await sharp({ create: { width: 1200, height: 800, channels: 3, background: '#36c' } })
      .png()
      .toBuffer();
    const picture = await attach(caseId, clerk, big);
    const thumbnail = await api.app.inject({
      method: 'GET',
      url: `/v1/cases/${caseId}/files/${picture.id}/thumbnail`,
      headers: clerk.auth,
    });
    expect(thumbnail.statusCode).toBe(200);
    expect(thumbnail.headers['content-type']).toBe('image/webp');
    const meta = await sharp(thumbnail.rawPayload).metadata();
    expect(meta).toMatchObject({ format: 'webp', width: 320, height: 213 });

    const text = await attach(caseId, clerk, Buffer.from('plain notes\n'), [], 'notes.txt');
    const none = await api.app.inject({
      method: 'GET',
      url: `/v1/cases/${caseId}/files/${text.id}/thumbnail`,
      headers: clerk.auth,
    });
    expect(none.statusCode).toBe(404);
  });

  it('stores the same bytes once for two cases, and deletes them only when both cases are erased', async () => {
    const [first, second] = [await newCase(), await newCase()];
    const bytes = await png(21);
    const a = await attach(first, clerk, bytes);
    const b = await attach(second, clerk, bytes);
    expect(a.sha256).toBe(b.sha256);
    expect((await storedObjects()).filter((name) => name === a.sha256)).toHaveLength(1);

    const erased = await erasePersonalData({ pool: db.pool, log: silent, store }, SYSTEM_ACTOR, {
      caseId: first,
      reason: 'retention period ended',
    });
    expect(erased).toMatchObject({ ok: true, objectsDeleted: 0 });
    expect(erased.ok && erased.fields).toEqual(expect.arrayContaining(['fileName', 'fileContent']));
    expect(await store.exists('objects', a.sha256)).toBe(true);
    const gone = await api.app.inject({ method: 'GET', url: `/v1/cases/${first}/files/${a.id}`, headers: clerk.auth });
    expect(gone.statusCode).toBe(410);
    expect(json(gone)).toMatchObject({ code: 'erased' });
    const kept = await api.app.inject({ method: 'GET', url: `/v1/cases/${second}/files/${b.id}`, headers: clerk.auth });
    expect(kept.statusCode).toBe(200);

    const last = await erasePersonalData({ pool: db.pool, log: silent, store }, SYSTEM_ACTOR, {
      caseId: second,
      reason: 'retention period ended',
    });
    expect(last).toMatchObject({ ok: true, objectsDeleted: 1 });
    expect(await store.exists('objects', a.sha256)).toBe(false);
    const listed = json<{ items: Record<string, unknown>[] }>(
      await api.app.inject({ method: 'GET', url: `/v1/cases/${second}/files`, headers: clerk.auth }),
    ).items;
    expect(listed).toEqual([
      expect.objectContaining({ sha256: a.sha256, erasedAt: expect.any(String), thumbnail: false }),
    ]);
    expect(listed[0]).not.toHaveProperty('name');
    const verify = await api.app.inject({
      method: 'GET',
      url: `/v1/audit/verify?caseId=${second}`,
      headers: supervisor.auth,
    });
    expect(json(verify)).toMatchObject({ ok: true });
  });

  it('keeps hostile file names as inert labels: never a path, no controls, no bidi overrides', async () => {
    const caseId = await newCase();
    const names = [
      '../../../../etc/passwd',
      'C:\\Windows\\system32\\x.png',
      'shot\u202Egnp.exe',
      'a\u0001b\u007fc.png',
    ];
    const before = await storedObjects();
    for (const [i, filename] of names.entries()) {
      const response = await upload(caseId, clerk, { bytes: await png(100 + i), filename });
      expect(response.statusCode, response.body).toBe(202);
    }
    await api.applyPending();
    const items = json<{ items: { name?: string; sha256: string }[] }>(
      await api.app.inject({ method: 'GET', url: `/v1/cases/${caseId}/files`, headers: clerk.auth }),
    ).items;
    for (const item of items) {
      // biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point
      expect(item.name ?? '').not.toMatch(/[\u0000-\u001f\u007f\u202a-\u202e\u2066-\u2069]/u);
    }
    expect(items.map((i) => i.name)).toContain('shot\uFFFDgnp.exe');
    const after = await storedObjects();
    // Only objects named by their hashes appeared: nothing anywhere under a client's name.
    expect(after.filter((n) => !before.includes(n)).toSorted()).toEqual(items.map((i) => i.sha256).toSorted());
  });
});

describe('refused uploads store nothing', () => {
  it('refuses an executable renamed .png with 415, a body over the cap with 413, and JSON with 415', async () => {
    const caseId = await newCase();
    const before = await storedObjects();
    const exe = await upload(caseId, clerk, {
      bytes: REFUSED_SAMPLES.elf as Buffer,
      filename: 'photo.png',
      contentType: 'image/png',
    });
    expect(exe.statusCode).toBe(415);
    expect(json(exe)).toMatchObject({ code: 'unsupported_media_type' });
    for (const [name, bytes] of Object.entries(REFUSED_SAMPLES)) {
      const response = await upload(caseId, clerk, { bytes, filename: `${name}.png` });
      expect(response.statusCode, name).toBe(415);
    }
    const large = await upload(caseId, clerk, { bytes: Buffer.alloc(MAX_BYTES + 1, 'a') });
    expect(large.statusCode).toBe(413);
    expect(json(large)).toMatchObject({ code: 'payload_too_large' });
    const exactly = await upload(caseId, clerk, { bytes: Buffer.alloc(MAX_BYTES, 'a') });
    expect(exactly.statusCode).toBe(202);
    await api.applyPending();
    const jsonBody = await api.app.inject({
      method: 'POST',
      url: `/v1/cases/${caseId}/files`,
      headers: clerk.auth,
      payload: { file: 'aGVsbG8=' },
    });
    expect(jsonBody.statusCode).toBe(415);
    expect((await storedObjects()).filter((n) => !before.includes(n))).toEqual([sha256(Buffer.alloc(MAX_BYTES, 'a'))]);
  });

  it("answers 404 for another clerk's case, 403 for an admin, 422 for a verifier without the claim, before storing a byte", async () => {
    const caseId = await newCase(clerk);
    const before = await storedObjects();
    const commands = (await db.pool.query('SELECT count(*)::int AS n FROM commands')).rows[0].n;
    const bytes = await png(31);
    const other = await upload(caseId, clerk2, { bytes });
    expect(other.statusCode).toBe(404);
    expect(json(other)).toMatchObject({ code: 'not_found' });
    expect((await upload(caseId, admin, { bytes })).statusCode).toBe(403);
    const unclaimed = await upload(caseId, verifier, { bytes });
    expect(unclaimed.statusCode).toBe(422);
    expect(json(unclaimed)).toMatchObject({ code: 'guard_failed' });
    expect((await upload(randomUUID(), supervisor, { bytes })).statusCode).toBe(404);
    expect(await storedObjects()).toEqual(before);
    expect((await db.pool.query('SELECT count(*)::int AS n FROM commands')).rows[0].n).toBe(commands);
  });

  it('refuses bad fields, a misnamed part and parts after the file with 400', async () => {
    const caseId = await newCase();
    const before = await storedObjects();
    const bytes = await png(41);
    const cases = [
      await upload(caseId, clerk, { bytes }, [{ name: 'kind', value: 'selfie' }]),
      await upload(caseId, clerk, { bytes }, [{ name: 'owner', value: 'x' }]),
      await upload(caseId, clerk, { bytes }, [{ name: 'description', value: 'a\u0000b' }]),
      await upload(caseId, clerk, { bytes, name: 'upload' }),
      await upload(caseId, clerk, { bytes }, [], { trailing: [{ name: 'kind', value: 'other' }] }),
    ];
    expect(cases.map((r) => r.statusCode)).toEqual([400, 400, 400, 400, 400]);
    expect(await storedObjects()).toEqual(before);
  });
});

describe('a case exported with its files', () => {
  it('is a zip of bundle.json and files/<sha256> that audit verify checks; one flipped byte names the file', async () => {
    const caseId = await newCase();
    const picture = await png(51);
    const notes = Buffer.from('what the page said\n');
    const first = await attach(caseId, clerk, picture);
    const second = await attach(caseId, clerk, notes, [], 'notes.txt');
    await attach(caseId, clerk, picture); // the same bytes again: archived once

    const response = await api.app.inject({
      method: 'GET',
      url: `/v1/cases/${caseId}/export?files=true&purpose=court`,
      headers: supervisor.auth,
    });
    expect(response.statusCode, response.body.slice(0, 300)).toBe(200);
    expect(response.headers['content-type']).toBe('application/zip');
    expect(response.headers['content-disposition']).toMatch(
      /^attachment; filename="CT-\d{4}-\d+\.casetrail-bundle\.zip"$/u,
    );
    const dir = await mkdtemp(join(tmpdir(), 'casetrail-zip-'));
    try {
      const zip = join(dir, 'case.zip');
      await writeFile(zip, response.rawPayload);
      const archive = await readBundleArchive(zip);
      expect([...archive.files.keys()].toSorted()).toEqual([first.sha256, second.sha256].toSorted());

      const keys = join(dir, 'keys.json');
      await writeFile(keys, (await api.app.inject({ method: 'GET', url: '/.well-known/casetrail-keys.json' })).body);
      const ok = await runCli(['audit', 'verify', '--bundle', zip, '--trusted-keys', keys], {});
      expect(ok.code, ok.stdout + ok.stderr).toBe(0);
      expect(ok.stdout).toMatch(/bundle verified: .* 3 files match their hashes/u);

      // Flip one byte inside the stored (uncompressed) notes file.
      const bytes = Buffer.from(response.rawPayload);
      const at = bytes.indexOf(notes);
      expect(at).toBeGreaterThan(0);
      bytes[at + 3] = (bytes[at + 3] as number) ^ 0x01;
      const broken = join(dir, 'broken.zip');
      await writeFile(broken, bytes);
      const failed = await runCli(['audit', 'verify', '--bundle', broken, '--trusted-keys', keys], {});
      expect(failed.code).toBe(1);
      expect(failed.stdout).toContain(`file ${second.id} (files/${second.sha256}) does not match its SHA-256`);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
