-- The refresh of a case's search row costs less (docs/performance.md, "What the read side costs
-- the write path"):
-- - It is PL/pgSQL, whose plans each connection keeps: a SQL function's statement was planned
--   again at every call, once or twice per write that changes the text.
-- - The row is written again only when its text changed. A penalty stores the subject's
--   personal data and gives the decision number in one statement, and each refreshes the row:
--   the second found the text the first had written and still wrote a new version of the row,
--   with every trigram of it in both trigram indexes again. An erasure still changes the text,
--   so the erased values leave the row and its indexes in the erasure's transaction, as before.
CREATE OR REPLACE FUNCTION casetrail_refresh_search(target uuid) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO case_search (case_id, keys, body, created_at, submitted_by)
  SELECT c.id,
         casetrail_fold(concat_ws(' ', c.reference, c.decision_no, p.account_handle, p.subject_handle)),
         casetrail_fold(concat_ws(' ', c.reference, c.decision_no,
                                  CASE WHEN c.url LIKE 'pd:%' THEN NULL ELSE c.url END,
                                  CASE WHEN c.claim LIKE 'pd:%' THEN NULL ELSE c.claim END,
                                  p.account_handle, p.account_name, p.subject_handle, p.subject_name, p.content,
                                  (SELECT string_agg(v.value, ' ' ORDER BY v.field, v.created_at)
                                     FROM case_personal_values v
                                    WHERE v.case_id = c.id AND v.field IN ('url', 'claim', 'text')),
                                  (SELECT string_agg(e.payload ->> 'text', ' ' ORDER BY e.seq)
                                     FROM events e
                                    WHERE e.case_id = c.id AND e.type = 'case.note_added'
                                      AND e.payload ->> 'text' NOT LIKE 'pd:%'))),
         c.created_at, c.submitted_by
    FROM cases c LEFT JOIN case_personal_data p ON p.case_id = c.id
   WHERE c.id = target
  ON CONFLICT (case_id) DO UPDATE SET keys = EXCLUDED.keys, body = EXCLUDED.body,
    created_at = EXCLUDED.created_at, submitted_by = EXCLUDED.submitted_by
   WHERE (case_search.keys, case_search.body, case_search.created_at, case_search.submitted_by)
         IS DISTINCT FROM (EXCLUDED.keys, EXCLUDED.body, EXCLUDED.created_at, EXCLUDED.submitted_by);
END $$;
