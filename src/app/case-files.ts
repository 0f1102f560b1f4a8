import type { Readable } from 'node:stream';
import type pg from 'pg';
import { MEDIA_TYPES, canSeeCase, type Actor, type CaseState } from '../domain/index.ts';
import { findCase } from '../infra/db/case.repository.ts';
import { insertAccessLog } from '../infra/db/case-query.repository.ts';
import { selectCaseFile, selectCaseFiles, type CaseFileRecord } from '../infra/db/file.repository.ts';
import type { ByteRange, FileStore } from '../infra/files/file-store.ts';
import { makeThumbnail } from '../infra/files/thumbnail.ts';
import { errorInfo } from '../infra/error-info.ts';
import type { Logger } from '../infra/logger.ts';

export type CaseFileDeps = { pool: pg.Pool; store: FileStore; log: Logger };

/** A file as a reader sees it: its personal fields only while they exist. */
export type CaseFileView = Omit<CaseFileRecord, 'name' | 'description'> & {
  name?: string;
  description?: string;
  /** Whether GET .../thumbnail has a picture for it. */
  thumbnail: boolean;
};

type NotFound = { ok: false; code: 'not_found'; detail: string };
type Erased = { ok: false; code: 'erased'; detail: string };

function view(record: CaseFileRecord): CaseFileView {
  const { name, description, ...rest } = record;
  return {
    ...rest,
    ...(name === null ? {} : { name }),
    ...(description === null ? {} : { description }),
    thumbnail: MEDIA_TYPES[record.mediaType].image && record.erasedAt === null,
  };
}

async function visibleCase(deps: Pick<CaseFileDeps, 'pool'>, actor: Actor, caseId: string): Promise<CaseState | null> {
  const state = await findCase(deps.pool, caseId);
  return state !== null && canSeeCase(actor, state) ? state : null;
}

/**
 * The files of a case the actor may see, in the order they were attached. Their names and
 * descriptions are personal data: the listing is written to the access log, whoever reads.
 */
export async function listCaseFiles(
  deps: Pick<CaseFileDeps, 'pool'>,
  actor: Actor,
  caseId: string,
): Promise<{ ok: true; items: CaseFileView[] } | NotFound> {
  if ((await visibleCase(deps, actor, caseId)) === null)
    return { ok: false, code: 'not_found', detail: `no case ${caseId}` };
  const items = (await selectCaseFiles(deps.pool, caseId)).map(view);
  await insertAccessLog(deps.pool, { actorId: actor.id, action: 'case.files.read', caseId, purpose: null });
  return { ok: true, items };
}

/** One file of a case the actor may see; erased files answer erased (410). */
export async function findCaseFile(
  deps: Pick<CaseFileDeps, 'pool'>,
  actor: Actor,
  caseId: string,
  fileId: string,
): Promise<{ ok: true; file: CaseFileView } | NotFound | Erased> {
  if ((await visibleCase(deps, actor, caseId)) === null)
    return { ok: false, code: 'not_found', detail: `no case ${caseId}` };
  const record = await selectCaseFile(deps.pool, caseId, fileId);
  if (record === null) return { ok: false, code: 'not_found', detail: `no file ${fileId} in case ${caseId}` };
  if (record.erasedAt !== null)
    return { ok: false, code: 'erased', detail: `the bytes of file ${fileId} were erased at ${record.erasedAt}` };
  return { ok: true, file: view(record) };
}

/**
 * The bytes of a file found with findCaseFile (all, or a range): every download is written
 * to the access log, whoever reads. Bytes missing from the store answer erased: the trail
 * keeps their hash, and nothing else can bring them back.
 */
export async function readCaseFile(
  deps: CaseFileDeps,
  actor: Actor,
  file: CaseFileView,
  options: { range?: ByteRange; purpose?: string } = {},
): Promise<{ ok: true; body: Readable } | Erased> {
  const body = await deps.store.read('objects', file.sha256, options.range);
  if (body === null) {
    deps.log.warn({ caseId: file.caseId, fileId: file.id }, 'file bytes missing from the store');
    return { ok: false, code: 'erased', detail: `the bytes of file ${file.id} are no longer kept` };
  }
  await insertAccessLog(deps.pool, {
    actorId: actor.id,
    action: 'case.file.download',
    caseId: file.caseId,
    purpose: options.purpose ?? null,
  });
  return { ok: true, body };
}

/**
 * A small WebP of an image file, made on first request and kept beside it in the store.
 * Files that are not images have none (not_found). A picture of the evidence is personal
 * data: every thumbnail served is written to the access log.
 */
export async function fileThumbnail(
  deps: CaseFileDeps,
  actor: Actor,
  caseId: string,
  fileId: string,
): Promise<{ ok: true; webp: Uint8Array } | NotFound | Erased> {
  const found = await findCaseFile(deps, actor, caseId, fileId);
  if (!found.ok) return found;
  const { file } = found;
  if (!file.thumbnail) return { ok: false, code: 'not_found', detail: `file ${fileId} is not an image` };
  const kept = await deps.store.read('thumbnails', file.sha256);
  const logged = () =>
    insertAccessLog(deps.pool, { actorId: actor.id, action: 'case.file.thumbnail', caseId, purpose: null });
  if (kept !== null) {
    const webp = await collect(kept);
    await logged();
    return { ok: true, webp };
  }
  const image = await deps.store.read('objects', file.sha256);
  if (image === null) return { ok: false, code: 'erased', detail: `the bytes of file ${fileId} are no longer kept` };
  let webp: Buffer;
  try {
    webp = await makeThumbnail(image);
  } catch (error) {
    deps.log.warn({ caseId, fileId, err: errorInfo(error) }, 'thumbnail not made');
    return { ok: false, code: 'not_found', detail: `no thumbnail can be made of file ${fileId}` };
  }
  await deps.store.put('thumbnails', file.sha256, webp);
  await logged();
  return { ok: true, webp };
}

async function collect(stream: Readable): Promise<Uint8Array> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}
