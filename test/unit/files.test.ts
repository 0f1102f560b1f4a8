// Evidence files in the domain core and their inspection (docs/design.md §10): who may
// attach, the event, the fold, penalty documents that name a file, inert names, type
// detection, and the check of an exported archive's files.
import { createHash } from 'node:crypto';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { describe, expect, it } from 'vitest';
import { checkBundleFiles, inertFileName } from '../../src/domain/index.ts';
import { detectMediaType } from '../../src/infra/files/detect-type.ts';
import { FileTooLargeError, UnsupportedFileError, inspectUpload } from '../../src/infra/files/inspect-upload.ts';
import { acceptedSamples, REFUSED_SAMPLES } from '../support/file-samples.ts';
import {
  BODIES,
  CLAIM_LEASE_MS,
  CLERK,
  CLERK_2,
  MINUTE,
  SUPERVISOR,
  SUPERVISOR_2,
  VERIFIER,
  VERIFIER_2,
  createWorld,
  penaltyBody,
  verifyBody,
} from './domain-world.ts';

const FILE = BODIES['attach-file'] as Record<string, unknown>;
const fileBody = (overrides: Record<string, unknown> = {}) => ({ ...FILE, ...overrides });

describe('attach-file', () => {
  it('appends case.file_attached with the file id, hash, size, type and kind only', () => {
    const world = createWorld();
    const id = world.submit();
    const before = world.state(id);
    const after = world.must('attach-file', id, fileBody(), CLERK);
    const [event] = world.eventsOf(id).slice(-1);
    expect(event?.type).toBe('case.file_attached');
    expect(event?.payload).toEqual({
      fileId: FILE.fileId,
      sha256: FILE.sha256,
      size: FILE.size,
      mediaType: 'image/png',
      kind: 'screenshot',
    });
    // The fold counts it and changes nothing else.
    expect(after).toEqual({
      ...before,
      version: before.version + 1,
      updatedAt: after.updatedAt,
      headHash: after.headHash,
    });
  });

  it("is for the case's clerk, the verifier holding its claim, and supervisors", () => {
    const world = createWorld();
    const id = world.submit();
    expect(world.run('attach-file', id, fileBody(), VERIFIER)).toMatchObject({ rejection: { code: 'guard_failed' } });
    world.must('claim', id, {}, VERIFIER);
    expect(world.run('attach-file', id, fileBody(), VERIFIER).ok).toBe(true);
    expect(world.run('attach-file', id, fileBody(), VERIFIER_2)).toMatchObject({ rejection: { code: 'guard_failed' } });
    expect(world.run('attach-file', id, fileBody(), CLERK_2)).toMatchObject({ rejection: { code: 'not_found' } });
    expect(world.run('attach-file', id, fileBody(), SUPERVISOR).ok).toBe(true);
    world.advance(CLAIM_LEASE_MS + MINUTE);
    expect(world.run('attach-file', id, fileBody(), VERIFIER)).toMatchObject({ rejection: { code: 'guard_failed' } });
  });

  it('is refused on a closed case', () => {
    const world = createWorld();
    const id = world.submit();
    world.must('withdraw', id, BODIES.withdraw, SUPERVISOR);
    expect(world.run('attach-file', id, fileBody(), SUPERVISOR)).toMatchObject({
      rejection: { code: 'invalid_transition' },
    });
  });
});

describe('a penalty document that names an uploaded file', () => {
  const DECISION = '00000000-0000-4000-8000-00000000d001';
  const SCREENSHOT = '00000000-0000-4000-8000-00000000d002';
  const hash = 'd'.repeat(64);

  function referredWithFiles() {
    const world = createWorld();
    const id = world.submit();
    world.claimAndVerify(id, verifyBody(), VERIFIER);
    world.must('refer', id, BODIES.refer, SUPERVISOR);
    world.must('attach-file', id, fileBody({ fileId: DECISION, sha256: hash, kind: 'decision' }), SUPERVISOR_2);
    world.must('attach-file', id, fileBody({ fileId: SCREENSHOT, sha256: 'e'.repeat(64) }), SUPERVISOR_2);
    return { world, id };
  }
  const withDocument = (document: Record<string, unknown>) => ({ ...penaltyBody(), documents: [document] });

  it('is accepted when it is a decision file of the case with that hash, and the event keeps the file id', () => {
    const { world, id } = referredWithFiles();
    const state = world.must(
      'record-penalty',
      id,
      withDocument({ description: 'Signed decision', sha256: hash, fileId: DECISION }),
      SUPERVISOR,
    );
    expect(state.penalty?.documents).toEqual([{ description: 'Signed decision', sha256: hash, fileId: DECISION }]);
  });

  it('is refused when the file is not of this case, not a decision, or has another hash', () => {
    const { world, id } = referredWithFiles();
    const other = '00000000-0000-4000-8000-00000000d003';
    expect(
      world.run('record-penalty', id, withDocument({ description: 'x', sha256: hash, fileId: other }), SUPERVISOR),
    ).toEqual({
      ok: false,
      rejection: { code: 'guard_failed', detail: `documents.0: file ${other} is not a file of this case` },
    });
    expect(
      world.run(
        'record-penalty',
        id,
        withDocument({ description: 'x', sha256: 'e'.repeat(64), fileId: SCREENSHOT }),
        SUPERVISOR,
      ),
    ).toMatchObject({
      rejection: { code: 'guard_failed', detail: expect.stringContaining('of kind screenshot, not decision') },
    });
    expect(
      world.run(
        'record-penalty',
        id,
        withDocument({ description: 'x', sha256: 'f'.repeat(64), fileId: DECISION }),
        SUPERVISOR,
      ),
    ).toMatchObject({ rejection: { code: 'guard_failed', detail: expect.stringContaining('not the one of file') } });
    // Without fileId, a document is as before: a description and a hash.
    expect(
      world.run('record-penalty', id, withDocument({ description: 'x', sha256: 'f'.repeat(64) }), SUPERVISOR).ok,
    ).toBe(true);
  });
});

describe('file names', () => {
  it.each([
    ['photo.png', 'photo.png'],
    ['../../etc/passwd', '../../etc/passwd'],
    ['shot\u202Egnp.exe', 'shot\uFFFDgnp.exe'],
    ['a\u0000b\u0007c', 'a\uFFFDb\uFFFDc'],
    ['\uD800lone.png', '\uFFFDlone.png'],
    ['   ', null],
    ['\u0000\u0001', null],
    [undefined, null],
  ])('keeps %j as %j', (raw, kept) => {
    expect(inertFileName(raw)).toBe(kept);
  });

  it('cuts a long name to 255 characters', () => {
    expect(inertFileName('é'.repeat(1000))).toBe('é'.repeat(255));
  });
});

describe('type detection', () => {
  it('recognises every type of docs/design.md §10 from the bytes', async () => {
    for (const [name, sample] of Object.entries(await acceptedSamples())) {
      expect(await detectMediaType(sample.bytes), name).toEqual({ ok: true, mediaType: sample.mediaType });
    }
  });

  it.each(Object.entries(REFUSED_SAMPLES).filter(([name]) => name !== 'textThenBinary'))(
    'refuses %s',
    async (_n, bytes) => {
      expect(await detectMediaType(bytes)).toMatchObject({ ok: false });
    },
  );

  const sink = () =>
    new Writable({
      write(_chunk, _encoding, done) {
        done();
      },
    });

  it('follows a file taken for text to its end: binary after the first bytes is refused', async () => {
    const inspector = inspectUpload({ maxBytes: 1e6 });
    await expect(
      pipeline(Readable.from([REFUSED_SAMPLES.textThenBinary as Buffer]), inspector, sink()),
    ).rejects.toBeInstanceOf(UnsupportedFileError);
  });

  it('counts every byte against the cap and hashes what passes', async () => {
    const over = inspectUpload({ maxBytes: 100 });
    await expect(
      pipeline(Readable.from([Buffer.alloc(60, 'a'), Buffer.alloc(41, 'a')]), over, sink()),
    ).rejects.toBeInstanceOf(FileTooLargeError);
    const exact = inspectUpload({ maxBytes: 100 });
    await pipeline(Readable.from([Buffer.alloc(60, 'a'), Buffer.alloc(40, 'a')]), exact, sink());
    expect(exact.result()).toEqual({
      sha256: createHash('sha256').update(Buffer.alloc(100, 'a')).digest('hex'),
      size: 100,
      mediaType: 'text/plain',
    });
  });
});

describe('the files of an exported archive', () => {
  const A = 'a'.repeat(64);
  const B = 'b'.repeat(64);
  const event = (seq: number, type: string, payload: Record<string, unknown>) => ({ caseId: 'c', seq, type, payload });
  const bundle = (extra: unknown[] = []) => ({
    format: 'any version',
    events: [
      event(1, 'case.received', {}),
      event(2, 'case.file_attached', { fileId: 'f1', sha256: A }),
      event(3, 'case.file_attached', { fileId: 'f2', sha256: B }),
      ...extra,
    ],
  });

  it('holds when every file hashes to its event', () => {
    expect(
      checkBundleFiles(
        bundle(),
        new Map([
          [A, A],
          [B, B],
        ]),
      ),
    ).toEqual({ ok: true, checked: 2, erased: 0 });
  });

  it('names the file whose bytes changed', () => {
    expect(
      checkBundleFiles(
        bundle(),
        new Map([
          [A, A],
          [B, 'c'.repeat(64)],
        ]),
      ),
    ).toMatchObject({
      ok: false,
      failure: {
        caseId: 'c',
        seq: 3,
        reason: `file f2 (files/${B}) does not match its SHA-256: its bytes hash to ${'c'.repeat(64)}`,
      },
    });
  });

  it('refuses a missing file unless a later erasure deleted the bytes, and a file of no event', () => {
    expect(checkBundleFiles(bundle(), new Map([[A, A]]))).toMatchObject({
      ok: false,
      failure: { seq: 3, reason: `file f2 (files/${B}) is missing from the archive` },
    });
    const erased = bundle([event(4, 'case.personal_data_erased', { fields: ['fileContent'], reason: 'retention' })]);
    expect(checkBundleFiles(erased, new Map())).toEqual({ ok: true, checked: 0, erased: 2 });
    expect(
      checkBundleFiles(
        bundle(),
        new Map([
          [A, A],
          [B, B],
          ['d'.repeat(64), 'd'.repeat(64)],
        ]),
      ),
    ).toMatchObject({
      ok: false,
      failure: { reason: expect.stringContaining('is not a file of the case') },
    });
  });
});
