import { createHash } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';
import type { MediaType } from '../../domain/index.ts';
import { HEAD_BYTES, detectMediaType, hasNoControls } from './detect-type.ts';

/** The upload is larger than the cap: nothing of it is kept. */
export class FileTooLargeError extends Error {
  override readonly name = 'FileTooLargeError';
  readonly maxBytes: number;
  constructor(maxBytes: number) {
    super(`the file is larger than ${maxBytes} bytes`);
    this.maxBytes = maxBytes;
  }
}

/** The bytes are of a type casetrail does not keep (or not what their start said). */
export class UnsupportedFileError extends Error {
  override readonly name = 'UnsupportedFileError';
  readonly found: string;
  constructor(found: string) {
    super(`the file is ${found}, which is not a type evidence files may have`);
    this.found = found;
  }
}

type Inspected = { sha256: string; size: number; mediaType: MediaType };

export type UploadInspector = Transform & {
  /** What the bytes were, once the stream has ended (throws before). */
  result(): Inspected;
};

/**
 * A pass-through that looks at every byte on its way to the store: counts them against the
 * cap, hashes them (SHA-256), and holds back the first HEAD_BYTES until their type is known,
 * so that an unsupported file fails before more than its head has gone anywhere. A file
 * taken for plain text is checked to be text to its end. Memory: the head, and one chunk.
 */
export function inspectUpload(options: { maxBytes: number }): UploadInspector {
  const hash = createHash('sha256');
  let size = 0;
  let head: Buffer[] | null = [];
  let headLength = 0;
  let mediaType: MediaType | null = null;
  let digest: string | null = null;
  let utf8: InstanceType<typeof TextDecoder> | null = null;

  const checkText = (chunk: Uint8Array, final: boolean) => {
    if (utf8 === null) return;
    if (!hasNoControls(chunk)) throw new UnsupportedFileError('binary data after a text start');
    try {
      utf8.decode(chunk, { stream: !final });
    } catch {
      throw new UnsupportedFileError('binary data after a text start');
    }
  };

  const releaseHead = async (stream: Transform) => {
    const bytes = Buffer.concat(head ?? []);
    head = null;
    const detection = await detectMediaType(bytes);
    if (!detection.ok) throw new UnsupportedFileError(detection.found);
    mediaType = detection.mediaType;
    if (mediaType === 'text/plain') utf8 = new TextDecoder('utf-8', { fatal: true });
    checkText(bytes, false);
    stream.push(bytes);
  };

  const inspector = new Transform({
    transform(chunk: Buffer, _encoding, done: TransformCallback) {
      size += chunk.length;
      if (size > options.maxBytes) return done(new FileTooLargeError(options.maxBytes));
      hash.update(chunk);
      if (head === null) {
        try {
          checkText(chunk, false);
        } catch (error) {
          return done(error as Error);
        }
        return done(null, chunk);
      }
      head.push(chunk);
      headLength += chunk.length;
      if (headLength < HEAD_BYTES) return done();
      releaseHead(this).then(() => done(), done);
    },
    flush(done: TransformCallback) {
      const finish = () => {
        try {
          checkText(new Uint8Array(), true);
        } catch (error) {
          return done(error as Error);
        }
        digest = hash.digest('hex');
        done();
      };
      if (head === null) return finish();
      releaseHead(this).then(finish, done);
    },
  }) as UploadInspector;
  inspector.result = () => {
    if (digest === null || mediaType === null) throw new Error('the upload has not ended yet');
    return { sha256: digest, size, mediaType };
  };
  return inspector;
}
