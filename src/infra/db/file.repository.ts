import type pg from 'pg';
import type { FileKind, MediaType } from '../../domain/index.ts';

type Queryable = pg.ClientBase | pg.Pool;

export type CaseFileRecord = {
  id: string;
  caseId: string;
  seq: number;
  sha256: string;
  size: number;
  mediaType: MediaType;
  kind: FileKind;
  attachedBy: string;
  attachedAt: string;
  erasedAt: string | null;
  /** Personal data: null when none was given, or after erasure. */
  name: string | null;
  description: string | null;
};

type CaseFileRow = {
  id: string;
  case_id: string;
  seq: number;
  sha256: string;
  size: string;
  media_type: string;
  kind: string;
  attached_by: string;
  attached_at: Date;
  erased_at: Date | null;
  name: string | null;
  description: string | null;
};

function rowToFile(row: CaseFileRow): CaseFileRecord {
  return {
    id: row.id,
    caseId: row.case_id,
    seq: row.seq,
    sha256: row.sha256,
    size: Number(row.size),
    mediaType: row.media_type as MediaType,
    kind: row.kind as FileKind,
    attachedBy: row.attached_by,
    attachedAt: row.attached_at.toISOString(),
    erasedAt: row.erased_at === null ? null : row.erased_at.toISOString(),
    name: row.name,
    description: row.description,
  };
}

const SELECT_FILES = `SELECT f.*, p.name, p.description FROM case_files f
  LEFT JOIN case_file_personal_data p ON p.file_id = f.id`;

/** The files of a case in the order they were attached. */
export async function selectCaseFiles(db: Queryable, caseId: string): Promise<CaseFileRecord[]> {
  const { rows } = await db.query<CaseFileRow>(`${SELECT_FILES} WHERE f.case_id = $1 ORDER BY f.seq`, [caseId]);
  return rows.map(rowToFile);
}

export async function selectCaseFile(db: Queryable, caseId: string, fileId: string): Promise<CaseFileRecord | null> {
  const { rows } = await db.query<CaseFileRow>(`${SELECT_FILES} WHERE f.case_id = $1 AND f.id = $2`, [caseId, fileId]);
  return rows[0] === undefined ? null : rowToFile(rows[0]);
}

/**
 * Records that an object is (about to be) in the store, and locks its row until the
 * transaction ends: the sweeper and erasure lock it before they delete an object, so they
 * wait, then see the command this transaction stores. stored_at restarts the grace period.
 */
export async function claimObject(
  client: pg.ClientBase,
  object: { sha256: string; size: number; mediaType: MediaType },
): Promise<void> {
  await client.query(
    `INSERT INTO file_objects (sha256, size, media_type) VALUES ($1, $2, $3)
     ON CONFLICT (sha256) DO UPDATE SET stored_at = statement_timestamp()`,
    [object.sha256, object.size, object.mediaType],
  );
}

/** Locks the row of an object; false when there is none. */
export async function lockObject(client: pg.ClientBase, sha256: string): Promise<boolean> {
  const { rowCount } = await client.query('SELECT 1 FROM file_objects WHERE sha256 = $1 FOR UPDATE', [sha256]);
  return (rowCount ?? 0) > 0;
}

const REFERENCED = `(EXISTS (SELECT 1 FROM case_files f WHERE f.sha256 = o.sha256 AND f.erased_at IS NULL)
  OR EXISTS (SELECT 1 FROM commands c WHERE c.status = 'pending' AND c.type = 'attach-file' AND c.payload ->> 'sha256' = o.sha256))`;

/** Whether a file not erased, or an attach-file command still pending, holds the object. */
export async function isObjectReferenced(client: pg.ClientBase, sha256: string): Promise<boolean> {
  const { rows } = await client.query<{ referenced: boolean }>(
    `SELECT ${REFERENCED} AS referenced FROM (SELECT $1::text AS sha256) o`,
    [sha256],
  );
  return rows[0]?.referenced === true;
}

export async function deleteObjectRow(client: pg.ClientBase, sha256: string): Promise<void> {
  await client.query('DELETE FROM file_objects WHERE sha256 = $1', [sha256]);
}

/**
 * Objects nothing holds that were stored longer than graceMs ago, locked (skipping those
 * another transaction holds): the sweeper deletes them in the same transaction.
 */
export async function lockUnreferencedObjects(
  client: pg.ClientBase,
  graceMs: number,
  limit: number,
): Promise<string[]> {
  const { rows } = await client.query<{ sha256: string }>(
    `SELECT o.sha256 FROM file_objects o
      WHERE o.stored_at < statement_timestamp() - make_interval(secs => $1::double precision / 1000) AND NOT ${REFERENCED}
      ORDER BY o.stored_at LIMIT $2 FOR UPDATE SKIP LOCKED`,
    [graceMs, limit],
  );
  return rows.map((r) => r.sha256);
}

/** Which of these objects have a row (the others are strays the sweeper may delete). */
export async function knownObjects(db: Queryable, hashes: readonly string[]): Promise<Set<string>> {
  const { rows } = await db.query<{ sha256: string }>('SELECT sha256 FROM file_objects WHERE sha256 = ANY($1)', [
    hashes,
  ]);
  return new Set(rows.map((r) => r.sha256));
}

/** Which file fields the database still holds for the case (for the erasure event). */
export async function fileFieldsHeld(
  client: pg.ClientBase,
  caseId: string,
): Promise<{ fileName: boolean; fileDescription: boolean; fileContent: boolean }> {
  const { rows } = await client.query<{ name: boolean; description: boolean; content: boolean }>(
    `SELECT EXISTS (SELECT 1 FROM case_file_personal_data WHERE case_id = $1 AND name IS NOT NULL) AS name,
            EXISTS (SELECT 1 FROM case_file_personal_data WHERE case_id = $1 AND description IS NOT NULL) AS description,
            EXISTS (SELECT 1 FROM case_files WHERE case_id = $1 AND erased_at IS NULL) AS content`,
    [caseId],
  );
  const row = rows[0];
  return {
    fileName: row?.name === true,
    fileDescription: row?.description === true,
    fileContent: row?.content === true,
  };
}

/**
 * Erases the case's claim on its files: their personal data goes, their rows are marked
 * erased (downloads answer 410). Returns the objects they held, for the caller to delete
 * those no other case holds.
 */
export async function eraseCaseFiles(client: pg.ClientBase, caseId: string): Promise<string[]> {
  await client.query('DELETE FROM case_file_personal_data WHERE case_id = $1', [caseId]);
  const { rows } = await client.query<{ sha256: string }>(
    `UPDATE case_files SET erased_at = statement_timestamp() WHERE case_id = $1 AND erased_at IS NULL RETURNING sha256`,
    [caseId],
  );
  return [...new Set(rows.map((r) => r.sha256))];
}
