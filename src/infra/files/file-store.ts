import type { Readable } from 'node:stream';

// Where evidence files live (docs/design.md §10): objects named by their SHA-256, so the
// same bytes are kept once. A write goes to a temporary object first and becomes the named
// object whole or not at all (commit); nothing ever reads a temporary object.

/** The objects a store keeps beside the files themselves: one thumbnail per image. */
export type ObjectArea = 'objects' | 'thumbnails';

export type ByteRange = { start: number; end: number };

export type StoredObject = { area: ObjectArea; sha256: string; modifiedAt: Date };

export type TempObject = { id: string; modifiedAt: Date };

export interface FileStore {
  /** `file` or `s3`, for logs and metrics. */
  readonly kind: 'file' | 's3';
  /** Where it stores, without credentials (for logs and the bench). */
  readonly location: string;
  /**
   * Streams `source` into a new temporary object and resolves with its id once every byte
   * is durable. If the source fails or the write does, the temporary object is removed and
   * the promise rejects with the source's error.
   */
  writeTemp(source: Readable): Promise<string>;
  /** Makes a temporary object the object named sha256 (replacing an equal one), atomically. */
  commitTemp(tempId: string, sha256: string): Promise<void>;
  deleteTemp(tempId: string): Promise<void>;
  /** The bytes of an object, or a range of them; null when it is not there. */
  read(area: ObjectArea, sha256: string, range?: ByteRange): Promise<Readable | null>;
  /** Writes a small object (a thumbnail) whole. */
  put(area: ObjectArea, sha256: string, bytes: Uint8Array): Promise<void>;
  exists(area: ObjectArea, sha256: string): Promise<boolean>;
  /** Deletes an object; nothing happens when it is not there. */
  delete(area: ObjectArea, sha256: string): Promise<void>;
  /** Every object of the area, in no particular order (for the sweeper). */
  list(area: ObjectArea): AsyncIterable<StoredObject>;
  /** Every temporary object (for the sweeper: uploads a crash cut short). */
  listTemps(): AsyncIterable<TempObject>;
  close(): Promise<void>;
}

const SHA256_HEX = /^[0-9a-f]{64}$/u;

/** Object names come from hashes only, never from anything a client sent. */
export function assertSha256(sha256: string): void {
  if (!SHA256_HEX.test(sha256)) throw new Error('an object name must be a lower-case SHA-256');
}

const TEMP_ID = /^[0-9a-f-]{36}$/u;

export function assertTempId(id: string): void {
  if (!TEMP_ID.test(id)) throw new Error('not a temporary object id');
}
