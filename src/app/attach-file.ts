import { randomUUID } from 'node:crypto';
import { pipeline } from 'node:stream';
import type { Readable } from 'node:stream';
import type pg from 'pg';
import {
  COMMANDS,
  MEDIA_TYPES,
  attachFileSchema,
  canSeeCase,
  canonicalJson,
  inertFileName,
  isAllowedFrom,
  mayAttachFile,
  mayRun,
  sha256Hex,
  type Actor,
  type AttachFilePayload,
  type MediaType,
  type UploadFields,
} from '../domain/index.ts';
import { findCase } from '../infra/db/case.repository.ts';
import { insertCommand } from '../infra/db/command.repository.ts';
import { claimObject } from '../infra/db/file.repository.ts';
import { inTransaction } from '../infra/db/transaction.ts';
import type { FileStore } from '../infra/files/file-store.ts';
import { FileTooLargeError, UnsupportedFileError, inspectUpload } from '../infra/files/inspect-upload.ts';
import type { Logger } from '../infra/logger.ts';
import type { Handoff } from '../infra/queue/publish.ts';
import { releaseObjects } from './file-objects.ts';
import { isIdempotencyConflict, replay, type AcceptedCommand } from './submit-command.ts';

export type AttachFileDeps = {
  pool: pg.Pool;
  store: FileStore;
  /** CASETRAIL_FILE_MAX_BYTES. */
  maxBytes: number;
  log: Logger;
  /** Publishes the command's job right after it is stored; without it, the outbox relay does. */
  handoff?: Handoff;
};

type Refused = {
  ok: false;
  code:
    | 'forbidden'
    | 'not_found'
    | 'invalid_transition'
    | 'guard_failed'
    | 'payload_too_large'
    | 'unsupported_media_type'
    | 'idempotency_mismatch';
  detail: string;
};

/**
 * Whether the actor may attach a file to the case, decided before a byte of the upload is
 * read: a case they cannot see answers not_found, so nothing is stored for it. The worker
 * decides again when it applies the command (the case may move in between).
 */
export async function checkUpload(
  deps: Pick<AttachFileDeps, 'pool'>,
  actor: Actor,
  caseId: string,
): Promise<{ ok: true } | Refused> {
  if (!mayRun('attach-file', actor.roles)) {
    return {
      ok: false,
      code: 'forbidden',
      detail: `attaching a file needs one of the roles ${COMMANDS['attach-file'].roles.join(', ')}`,
    };
  }
  const state = await findCase(deps.pool, caseId);
  if (state === null || !canSeeCase(actor, state)) return { ok: false, code: 'not_found', detail: `no case ${caseId}` };
  if (!isAllowedFrom('attach-file', state.stage)) {
    return { ok: false, code: 'invalid_transition', detail: `attach-file is not allowed in stage ${state.stage}` };
  }
  const refusal = mayAttachFile(state, actor, new Date());
  return refusal === null ? { ok: true } : ({ ok: false, ...refusal } as Refused);
}

/** An upload whose bytes are in a temporary object, inspected, not yet bound to a case. */
export type ReceivedFile = { tempId: string; sha256: string; size: number; mediaType: MediaType };

/**
 * Streams an upload's bytes to a temporary object while they are hashed, counted and typed
 * (never held whole): an unsupported type or a file over the cap stops the stream and
 * leaves nothing. A client that goes away mid-upload fails the source, which fails the
 * store's write: the temporary object is removed and the error thrown.
 */
export async function receiveFile(
  deps: Pick<AttachFileDeps, 'store' | 'maxBytes'>,
  source: Readable,
): Promise<{ ok: true; file: ReceivedFile } | Refused> {
  const inspector = inspectUpload({ maxBytes: deps.maxBytes });
  pipeline(source, inspector, () => undefined);
  let tempId: string;
  try {
    tempId = await deps.store.writeTemp(inspector);
  } catch (error) {
    if (error instanceof FileTooLargeError) return { ok: false, code: 'payload_too_large', detail: error.message };
    if (error instanceof UnsupportedFileError)
      return { ok: false, code: 'unsupported_media_type', detail: error.message };
    throw error;
  }
  return { ok: true, file: { tempId, ...inspector.result() } };
}

/** Drops a received file that will not be attached (the request turned out invalid). */
export async function discardFile(deps: Pick<AttachFileDeps, 'store'>, file: ReceivedFile): Promise<void> {
  await deps.store.deleteTemp(file.tempId);
}

/**
 * Binds a received file to a case: in one transaction, the object's row is claimed (and
 * locked), the temporary object becomes the object named by its SHA-256, and the
 * attach-file command is stored with its outbox row. Answers like every command: accepted,
 * for a worker to apply. The file name is made inert and kept as personal data only.
 */
export async function attachFile(
  deps: AttachFileDeps,
  actor: Actor,
  caseId: string,
  received: ReceivedFile,
  upload: { fields: UploadFields; filename?: string; idempotencyKey?: string },
): Promise<({ ok: true } & AcceptedCommand) | Refused> {
  const { tempId, ...inspected } = received;
  const name = inertFileName(upload.filename);
  const payload: AttachFilePayload = attachFileSchema.parse({
    fileId: randomUUID(),
    ...inspected,
    kind: upload.fields.kind ?? MEDIA_TYPES[inspected.mediaType].kind,
    ...(name === null ? {} : { name }),
    ...(upload.fields.description === undefined ? {} : { description: upload.fields.description }),
  });
  const hash = upload.idempotencyKey === undefined ? undefined : uploadRequestHash(caseId, payload);
  const commandId = randomUUID();
  let stored: Awaited<ReturnType<typeof insertCommand>> | 'conflict';
  try {
    stored = await inTransaction(deps.pool, async (client) => {
      await claimObject(client, inspected);
      await deps.store.commitTemp(tempId, inspected.sha256);
      try {
        return await insertCommand(
          client,
          {
            id: commandId,
            type: 'attach-file',
            caseId,
            actor,
            payload,
            ...(upload.idempotencyKey === undefined ? {} : { idempotencyKey: upload.idempotencyKey }),
            ...(hash === undefined ? {} : { requestHash: hash }),
          },
          COMMANDS['attach-file'].queue,
          { handedOff: deps.handoff !== undefined },
        );
      } catch (error) {
        if (hash !== undefined && isIdempotencyConflict(error)) return 'conflict' as const;
        throw error;
      }
    });
  } catch (error) {
    await deps.store.deleteTemp(tempId).catch(() => undefined);
    throw error;
  }
  if (stored === 'conflict') {
    // The first request's command holds its own object; this one's may be held by nothing.
    await releaseObjects(deps, [inspected.sha256]).catch(() => undefined);
    const answer = await replay(deps, actor, upload.idempotencyKey as string, hash as string);
    if (answer.ok || answer.code === 'idempotency_mismatch') return answer;
    return { ok: false, code: 'forbidden', detail: answer.detail };
  }
  void deps.handoff?.([stored.outbox]);
  deps.log.info(
    { caseId, commandId, fileId: payload.fileId, size: payload.size, mediaType: payload.mediaType },
    'file stored',
  );
  return { ok: true, commandId, caseId, type: 'attach-file', status: 'pending', replayed: false, reference: null };
}

/** The request an Idempotency-Key stands for: the bytes and the fields, not the file id drawn for it. */
function uploadRequestHash(caseId: string, payload: AttachFilePayload): string {
  const { fileId: _fileId, ...request } = payload;
  return sha256Hex(canonicalJson({ type: 'attach-file', caseId, payload: request, expectedVersion: null }));
}
