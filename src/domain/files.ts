import { z } from 'zod';
import { hasLiveClaim } from './case-state.ts';
import type { CaseState } from './case-state.ts';
import { reject } from './problems.ts';
import type { Role } from './stages.ts';
import type { Rejection } from './problems.ts';
import { LIMITS, fileIdSchema, sha256Schema, textField } from './text.ts';

// Evidence files (docs/design.md §10): the bytes are kept by content address outside the
// database; the trail binds each file to its case by SHA-256 (case.file_attached). The
// original file name and the description are personal data, stored apart like the item's
// personal fields: they travel in the attach-file command, never in an event.

export const FILE_KINDS = ['screenshot', 'video', 'archive', 'document', 'decision', 'other'] as const;
export type FileKind = (typeof FILE_KINDS)[number];

/**
 * The types casetrail keeps, detected from the bytes (never from the name or the header):
 * each with the extension a download is named with, whether a thumbnail can be made of it,
 * and the kind a file gets when the upload names none.
 */
export const MEDIA_TYPES = {
  'image/png': { ext: 'png', image: true, kind: 'screenshot' },
  'image/jpeg': { ext: 'jpg', image: true, kind: 'screenshot' },
  'image/webp': { ext: 'webp', image: true, kind: 'screenshot' },
  'image/gif': { ext: 'gif', image: true, kind: 'screenshot' },
  'video/mp4': { ext: 'mp4', image: false, kind: 'video' },
  'video/webm': { ext: 'webm', image: false, kind: 'video' },
  'video/quicktime': { ext: 'mov', image: false, kind: 'video' },
  'application/pdf': { ext: 'pdf', image: false, kind: 'document' },
  'text/html': { ext: 'html', image: false, kind: 'archive' },
  'multipart/related': { ext: 'mhtml', image: false, kind: 'archive' },
  'application/warc': { ext: 'warc', image: false, kind: 'archive' },
  'application/warc+gzip': { ext: 'warc.gz', image: false, kind: 'archive' },
  'text/plain': { ext: 'txt', image: false, kind: 'other' },
} as const satisfies Record<string, { ext: string; image: boolean; kind: FileKind }>;
export type MediaType = keyof typeof MEDIA_TYPES;
export const MEDIA_TYPE_NAMES = Object.keys(MEDIA_TYPES) as MediaType[];

/** Sizes travel as JSON numbers in hashed payloads: integers up to 2^53 - 1 are exact. */
const FILE_SIZE_MAX = Number.MAX_SAFE_INTEGER;

/** Longest file name kept, in characters; longer names are cut, not refused. */
const FILE_NAME_MAX = 255;

// The tsconfig lib is ES2023; toWellFormed is ES2024 and present in Node 20.
type WellFormable = string & { toWellFormed(): string };

// C0 and C1 controls, and the bidirectional controls that can make "gpj.exe" read "exe.jpg".
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point
const UNSAFE_NAME_CHARS = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/gu;

/**
 * A file name as casetrail keeps it: a label for people, never a path. Controls and
 * bidirectional overrides become U+FFFD, lone surrogates are replaced, and it is cut to
 * FILE_NAME_MAX characters; null when nothing printable is left. Path separators stay as
 * they were: the name is only ever shown as text.
 */
export function inertFileName(raw: string | undefined): string | null {
  if (raw === undefined) return null;
  const cleaned = (raw as WellFormable).toWellFormed().replace(UNSAFE_NAME_CHARS, '\uFFFD');
  const cut = Array.from(cleaned).slice(0, FILE_NAME_MAX).join('').trim();
  return /[^\s\uFFFD]/u.test(cut) ? cut : null;
}

/** The optional fields of an upload, sent as multipart fields before the file part. */
export const uploadFieldsSchema = z.strictObject({
  kind: z.enum(FILE_KINDS).optional(),
  description: textField(LIMITS.reason).optional(),
});
export type UploadFields = z.output<typeof uploadFieldsSchema>;

/** The attach-file command: what the server learnt of the stored bytes, and the personal fields. */
export const attachFileSchema = z.strictObject({
  fileId: fileIdSchema,
  sha256: sha256Schema,
  size: z.int().min(0).max(FILE_SIZE_MAX),
  mediaType: z.enum(MEDIA_TYPE_NAMES as [MediaType, ...MediaType[]]),
  kind: z.enum(FILE_KINDS),
  /** Personal data: kept apart from the trail, removed by erasure. */
  name: z
    .string()
    .max(FILE_NAME_MAX)
    .refine((s) => inertFileName(s) === s, 'must be an inert file name')
    .optional(),
  /** Personal data: kept apart from the trail, removed by erasure. */
  description: textField(LIMITS.reason).optional(),
});
export type AttachFilePayload = z.output<typeof attachFileSchema>;

/**
 * Who may attach a file to a case they can see: its submitting clerk, the verifier who
 * holds its claim (or verified it), and supervisors.
 */
export function mayAttachFile(
  state: CaseState,
  actor: { id: string; roles: readonly Role[] },
  now: Date,
): Rejection | null {
  const allowed = actor.roles.some((role) => {
    switch (role) {
      case 'supervisor':
        return true;
      case 'clerk':
        return state.submittedBy === actor.id;
      case 'verifier':
        return (state.claimedBy === actor.id && hasLiveClaim(state, now)) || state.verifiedBy === actor.id;
      default:
        return false;
    }
  });
  return allowed
    ? null
    : reject(
        'guard_failed',
        "files are attached by the case's submitting clerk, the verifier who holds its claim, or a supervisor",
      );
}

/** A file of a case as the penalty guard sees it (from case.file_attached). */
export type AttachedFile = { fileId: string; kind: FileKind; sha256: string };
