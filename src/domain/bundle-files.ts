import { z } from 'zod';
import { auditFailure, type AuditFailure } from './audit-report.ts';

// The files of an exported archive (docs/audit-format.md, "Archives"): bundle.json and
// files/<sha256>. Whatever the bundle's format version, its events are the reference: each
// case.file_attached names the SHA-256 its bytes must have. A file may be absent only when a
// later case.personal_data_erased lists fileContent (erasure deleted the case's copy).

/** The parts of an event this check reads, from any bundle version: loose on purpose. */
const eventSchema = z.looseObject({
  caseId: z.string(),
  seq: z.int(),
  type: z.string(),
  payload: z.looseObject({}),
});
const bundleEventsSchema = z.looseObject({ events: z.array(eventSchema) });

export const ARCHIVE_BUNDLE_NAME = 'bundle.json';
export const ARCHIVE_FILES_DIR = 'files/';

export type FileCheck =
  | { ok: true; checked: number; erased: number }
  | { ok: false; failure: AuditFailure; checked: number };

/**
 * Checks the archived files of a bundle against its events. `archived` maps each entry name
 * under files/ to the SHA-256 of its bytes as read.
 */
export function checkBundleFiles(bundle: unknown, archived: ReadonlyMap<string, string>): FileCheck {
  const parsed = bundleEventsSchema.safeParse(bundle);
  if (!parsed.success) return { ok: false, checked: 0, failure: auditFailure({}, 'bundle.json holds no events') };
  const events = parsed.data.events;
  const erasedAfter = (seq: number) =>
    events.some(
      (e) =>
        e.type === 'case.personal_data_erased' &&
        e.seq > seq &&
        Array.isArray(e.payload.fields) &&
        e.payload.fields.includes('fileContent'),
    );
  const expected = new Set<string>();
  let checked = 0;
  let erased = 0;
  for (const event of events) {
    if (event.type !== 'case.file_attached') continue;
    const sha256 = String(event.payload.sha256);
    const at = { caseId: event.caseId, seq: event.seq };
    const label = `file ${String(event.payload.fileId)} (${ARCHIVE_FILES_DIR}${sha256})`;
    expected.add(sha256);
    const actual = archived.get(sha256);
    if (actual === undefined) {
      if (erasedAfter(event.seq)) {
        erased += 1;
        continue;
      }
      return { ok: false, checked, failure: auditFailure(at, `${label} is missing from the archive`) };
    }
    if (actual !== sha256) {
      return {
        ok: false,
        checked,
        failure: auditFailure(at, `${label} does not match its SHA-256: its bytes hash to ${actual}`),
      };
    }
    checked += 1;
  }
  for (const name of archived.keys()) {
    if (!expected.has(name)) {
      return {
        ok: false,
        checked,
        failure: auditFailure({}, `${ARCHIVE_FILES_DIR}${name} is not a file of the case's events`),
      };
    }
  }
  return { ok: true, checked, erased };
}
