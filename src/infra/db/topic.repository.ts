import type pg from 'pg';

export type TopicRow = { code: string; name: string; createdBy: string; createdAt: string };

/** Inserts a topic; false when its code is taken. */
export async function insertTopic(
  pool: pg.Pool,
  topic: { code: string; name: string; createdBy: string },
): Promise<TopicRow | null> {
  const { rows } = await pool.query<{ code: string; name: string; created_by: string; created_at: Date }>(
    `INSERT INTO topics (code, name, created_by) VALUES ($1, $2, $3)
     ON CONFLICT (code) DO NOTHING RETURNING code, name, created_by, created_at`,
    [topic.code, topic.name, topic.createdBy],
  );
  const row = rows[0];
  return row === undefined ? null : toTopic(row);
}

export async function selectTopics(pool: pg.Pool): Promise<TopicRow[]> {
  const { rows } = await pool.query<{ code: string; name: string; created_by: string; created_at: Date }>(
    'SELECT code, name, created_by, created_at FROM topics ORDER BY code',
  );
  return rows.map(toTopic);
}

/** The codes among these that name no topic. */
export async function unknownTopicCodes(pool: pg.Pool, codes: readonly string[]): Promise<string[]> {
  if (codes.length === 0) return [];
  const { rows } = await pool.query<{ code: string }>(
    'SELECT c AS code FROM unnest($1::text[]) AS c WHERE NOT EXISTS (SELECT 1 FROM topics t WHERE t.code = c)',
    [codes],
  );
  return rows.map((r) => r.code);
}

function toTopic(row: { code: string; name: string; created_by: string; created_at: Date }): TopicRow {
  return { code: row.code, name: row.name, createdBy: row.created_by, createdAt: row.created_at.toISOString() };
}
