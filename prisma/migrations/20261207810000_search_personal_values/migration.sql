-- Search over payload format 2 (docs/design.md §11, docs/audit-format.md "Personal data and
-- keyed digests"): a case received in format 2 holds references ("pd:" and a digest) for its
-- URL and claim, and its notes' events hold references for their text; the values are in
-- case_personal_values. The search text takes the values from there, and drops with them
-- when they are erased or redacted, in the same transaction.
CREATE OR REPLACE FUNCTION casetrail_refresh_search(target uuid) RETURNS void LANGUAGE sql AS $$
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
$$;

-- Erasure and redaction delete values: the cases they belonged to are refreshed once each.
CREATE FUNCTION casetrail_search_on_values_deleted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM casetrail_refresh_search(case_id) FROM (SELECT DISTINCT case_id FROM gone) d;
  RETURN NULL;
END $$;

CREATE TRIGGER "case_personal_values_search" AFTER DELETE ON "case_personal_values"
  REFERENCING OLD TABLE AS gone FOR EACH STATEMENT EXECUTE FUNCTION casetrail_search_on_values_deleted();

-- Stage visits at their business time: an imported event's visit starts and ends when the
-- record says (payload.imported.at), not when it was imported.
CREATE OR REPLACE FUNCTION casetrail_stage_visit() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  at timestamptz := casetrail_instant(COALESCE(NEW.payload -> 'imported' ->> 'at', NEW.occurred_at::text));
BEGIN
  UPDATE stage_visits SET left_at = at WHERE case_id = NEW.case_id AND left_at IS NULL;
  IF NEW.type <> 'case.closed' THEN
    INSERT INTO stage_visits (case_id, seq, stage, entered_at, deadline_at)
    VALUES (NEW.case_id, NEW.seq,
            CASE NEW.type WHEN 'case.received' THEN 'received' WHEN 'case.verified' THEN 'verified'
                          WHEN 'case.referred' THEN 'referred' ELSE 'penalty_issued' END,
            at, casetrail_instant(NEW.payload ->> 'deadlineAt'));
  END IF;
  RETURN NULL;
END $$;

UPDATE "stage_visits" s SET "entered_at" = casetrail_instant(e.payload -> 'imported' ->> 'at')
  FROM "events" e WHERE e.case_id = s.case_id AND e.seq = s.seq AND e.payload -> 'imported' ? 'at';
UPDATE "stage_visits" s SET "left_at" = n.at
  FROM (SELECT v.case_id, v.seq,
               (SELECT casetrail_instant(COALESCE(e.payload -> 'imported' ->> 'at', e.occurred_at::text))
                  FROM events e
                 WHERE e.case_id = v.case_id AND e.seq > v.seq
                   AND e.type IN ('case.received', 'case.verified', 'case.referred', 'case.penalty_issued', 'case.closed')
                 ORDER BY e.seq LIMIT 1) AS at
          FROM stage_visits v WHERE v.left_at IS NOT NULL) n
 WHERE s.case_id = n.case_id AND s.seq = n.seq;

SELECT casetrail_refresh_search(id) FROM "cases";
