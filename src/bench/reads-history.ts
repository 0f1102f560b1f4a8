import type pg from 'pg';

// A large history written fast (docs/performance.md, reads): the cases the API made for each
// stage are the templates, copied in SQL with generate_series under new ids, spread over the
// last year, over many clerks and verifiers, platforms, categories and topics, with their
// events, personal data, search text and access log. The copies are not a valid trail (their
// hashes are random): the reads measured never verify it.

const PLATFORMS = ['facebook', 'tiktok', 'zalo', 'youtube', 'x', 'website', 'other'];
const CATEGORIES = ['health', 'safety', 'disaster', 'economy', 'scam', 'defamation', 'public_order', 'other'];
const PHRASES = [
  'Kêu gọi tích trữ gạo vì sắp phong tỏa',
  'Uống nước chanh nóng chữa khỏi cúm',
  'Ngân hàng tặng 5 triệu đồng cho người đăng ký',
  'Cầu vượt sập sáng nay ở Cầu Giấy',
  'Lũ sẽ lên ba mét ở Huế đêm nay',
  'Giá xăng tăng gấp đôi từ thứ Hai',
  'Vắc xin mới gây vô sinh',
  'Trường học đóng cửa một tháng',
];
const NAMES = ['Nguyễn Văn An', 'Trần Thị Bình', 'Lê Hoàng Cường', 'Phạm Thu Dung', 'Đỗ Đức Em', 'Hoàng Gia Hân'];
const HISTORY_TOPICS = 10;

/** The projections' triggers: the history fills their tables in one statement each instead. */
const PROJECTION_TRIGGERS = [
  ['case_personal_data', 'case_personal_data_search'],
  ['events', 'events_stage_visit'],
  ['cases', 'cases_topics_insert'],
] as const;

const iso = (expression: string) => `to_char((${expression}) AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;

/** `cases` copies of the template cases (round robin) and what goes with them; returns the events written. */
export async function writeHistory(
  client: pg.ClientBase,
  input: { templates: string[]; cases: number; clerks: string[]; verifiers: string[]; supervisor: string },
): Promise<{ events: number }> {
  await client.query(
    `INSERT INTO topics (code, name, created_by)
     SELECT 'T' || t, 'Chủ đề ' || t, $1 FROM generate_series(0, ${HISTORY_TOPICS - 1}) t ON CONFLICT DO NOTHING`,
    [input.supervisor],
  );
  await client.query(
    `CREATE TEMP TABLE bench_map ON COMMIT DROP AS
     SELECT gen_random_uuid() AS id, ($2::uuid[])[1 + g % cardinality($2::uuid[])] AS template, g,
            date_trunc('second', now()) - interval '2 days' - (g % 365) * interval '1 day' - (g * 37 % 86400) * interval '1 second' AS at,
            ($3::text[])[1 + g % 7] AS platform
       FROM generate_series(1, $1::int) g`,
    [input.cases, input.templates, PLATFORMS],
  );
  // The search index is filled in one statement below, not row by row by its triggers.
  for (const [table, trigger] of PROJECTION_TRIGGERS)
    await client.query(`ALTER TABLE ${table} DISABLE TRIGGER ${trigger}`);
  await client.query(
    `INSERT INTO cases (id, reference, stage, outcome, version, priority, category, platform, claim, url, fingerprint,
        content_hash, item, report, submitted_by, claimed_by, claimed_until, verified_by, verdict, referral, penalty,
        penalty_recorded_by, decision_no, decision_key, appeal, merged_reports, related_cases, topics, stage_entered_at,
        deadline_at, head_hash, created_at, updated_at)
     SELECT m.id, 'CT-H-' || lpad(m.g::text, 8, '0'), c.stage, c.outcome, c.version,
            (ARRAY['low','normal','high','urgent'])[1 + m.g % 4], ($3::text[])[1 + m.g % 8], m.platform,
            ($4::text[])[1 + m.g % cardinality($4::text[])] || ' #' || m.g,
            'https://example.vn/' || m.platform || '/bai-' || m.g,
            md5('f' || m.g) || md5(m.g || 'f'), md5('c' || m.g) || md5(m.g || 'c'),
            c.item || jsonb_build_object('platform', m.platform, 'url', 'https://example.vn/' || m.platform || '/bai-' || m.g),
            jsonb_build_object('source', 'monitoring', 'receivedAt', ${iso('m.at')}),
            ($1::uuid[])[1 + m.g % cardinality($1::uuid[])],
            CASE WHEN c.claimed_by IS NULL THEN NULL ELSE ($2::uuid[])[1 + m.g % cardinality($2::uuid[])] END,
            CASE WHEN c.claimed_by IS NULL THEN NULL ELSE m.at + interval '1 hour' END,
            CASE WHEN c.verified_by IS NULL THEN NULL ELSE ($2::uuid[])[1 + m.g % cardinality($2::uuid[])] END,
            c.verdict || jsonb_build_object('verifiedAt', ${iso("m.at + interval '1 day'")}),
            c.referral || jsonb_build_object('referredAt', ${iso("m.at + interval '2 days'")}),
            c.penalty || jsonb_build_object('issuedAt', ${iso("m.at + interval '10 days'")}, 'decisionNo', 'QD-H-' || m.g),
            c.penalty_recorded_by,
            CASE WHEN c.decision_no IS NULL THEN NULL ELSE 'QD-H-' || m.g END,
            CASE WHEN c.decision_no IS NULL THEN NULL ELSE 'qd-h-' || m.g END,
            c.appeal, 0, '{}',
            CASE WHEN m.g % 5 = 0 THEN ARRAY['T' || (m.g / 5) % ${HISTORY_TOPICS}] ELSE '{}' END,
            m.at + (c.version - 1) * interval '1 day', c.deadline_at, c.head_hash, m.at, m.at + (c.version - 1) * interval '1 day'
       FROM bench_map m JOIN cases c ON c.id = m.template`,
    [input.clerks, input.verifiers, CATEGORIES, PHRASES],
  );
  const { rowCount } = await client.query(
    `INSERT INTO events (case_id, seq, type, payload, actor_id, actor_roles, command_id, occurred_at, prev_hash, hash)
     SELECT m.id, e.seq, e.type,
            CASE WHEN e.payload ->> 'deadlineAt' IS NULL THEN e.payload
                 ELSE e.payload || jsonb_build_object('deadlineAt', ${iso("m.at + e.seq * interval '1 day' + interval '12 hours'")}) END,
            e.actor_id, e.actor_roles, NULL, ${iso("m.at + (e.seq - 1) * interval '1 day'")},
            md5(random()::text) || md5(random()::text), md5(random()::text) || md5(random()::text)
       FROM bench_map m JOIN events e ON e.case_id = m.template`,
  );
  await client.query(
    `INSERT INTO case_personal_data (case_id, account_handle, account_name, content)
     SELECT m.id, 'tk.' || m.g, ($1::text[])[1 + m.g % cardinality($1::text[])],
            ($2::text[])[1 + (m.g / 7) % cardinality($2::text[])] || '. Chia sẻ lần thứ ' || m.g
       FROM bench_map m`,
    [NAMES, PHRASES],
  );
  // A GIN index is built afresh from a loaded table many times faster than it takes the rows
  // one by one: the search indexes are dropped around the copy and made again after it.
  const { rows: searchIndexes } = await client.query<{ name: string; definition: string }>(
    `SELECT indexname AS name, indexdef AS definition FROM pg_indexes
      WHERE schemaname = current_schema() AND tablename = 'case_search' AND indexdef LIKE '% USING gin %'`,
  );
  for (const index of searchIndexes) await client.query(`DROP INDEX "${index.name}"`);
  await client.query(`SET LOCAL maintenance_work_mem = '512MB'`);
  await client.query(
    `INSERT INTO case_search (case_id, keys, body, created_at, submitted_by)
     SELECT c.id, casetrail_fold(concat_ws(' ', c.reference, c.decision_no, p.account_handle, p.subject_handle)),
            casetrail_fold(concat_ws(' ', c.reference, c.decision_no, c.url, c.claim, p.account_handle, p.account_name,
                                     p.subject_handle, p.subject_name, p.content)),
            c.created_at, c.submitted_by
       FROM bench_map m JOIN cases c ON c.id = m.id LEFT JOIN case_personal_data p ON p.case_id = c.id`,
  );
  for (const index of searchIndexes) await client.query(index.definition);
  await client.query(
    `INSERT INTO case_topics (topic, created_at, case_id, received_at)
     SELECT t, c.created_at, c.id, c.received_at FROM bench_map m JOIN cases c ON c.id = m.id, unnest(c.topics) t`,
  );
  await client.query(
    `INSERT INTO stage_visits (case_id, seq, stage, entered_at, deadline_at, left_at)
     SELECT case_id, seq, stage, entered_at, deadline_at, left_at FROM (
       SELECT e.case_id, e.seq, e.type,
              CASE e.type WHEN 'case.received' THEN 'received' WHEN 'case.verified' THEN 'verified'
                          WHEN 'case.referred' THEN 'referred' ELSE 'penalty_issued' END AS stage,
              casetrail_instant(e.occurred_at) AS entered_at, casetrail_instant(e.payload ->> 'deadlineAt') AS deadline_at,
              lead(casetrail_instant(e.occurred_at)) OVER (PARTITION BY e.case_id ORDER BY e.seq) AS left_at
         FROM bench_map m JOIN events e ON e.case_id = m.id
        WHERE e.type IN ('case.received', 'case.verified', 'case.referred', 'case.penalty_issued', 'case.closed')) v
      WHERE type <> 'case.closed' AND left_at IS NOT NULL`,
  );
  for (const [table, trigger] of PROJECTION_TRIGGERS)
    await client.query(`ALTER TABLE ${table} ENABLE TRIGGER ${trigger}`);
  await client.query(
    `INSERT INTO access_log (actor_id, action, case_id, at)
     SELECT $1, 'case.read', id, at + interval '3 hours' FROM bench_map WHERE g % 4 = 0`,
    [input.supervisor],
  );
  return { events: rowCount ?? 0 };
}
