-- Reads at scale (docs/performance.md): what the measured slow reads needed.
--
-- A clerk's case list, newest first, reads the clerk's cases in order instead of sorting them
-- all: (submitted_by, created_at) replaces (submitted_by).
DROP INDEX "cases_submitted_by_idx";
CREATE INDEX "cases_submitted_by_created_at_idx" ON "cases"("submitted_by", "created_at");

-- A search with no filter beside it ranks and pages its matches in case_search alone, then
-- reads only the page's cases: the search rows carry what that needs (never changing after
-- intake: when the case was created and who submitted it).
ALTER TABLE "case_search" ADD COLUMN "created_at" TIMESTAMPTZ(3), ADD COLUMN "submitted_by" UUID;
UPDATE "case_search" s SET "created_at" = c."created_at", "submitted_by" = c."submitted_by"
  FROM "cases" c WHERE c."id" = s."case_id";

CREATE OR REPLACE FUNCTION casetrail_refresh_search(target uuid) RETURNS void LANGUAGE sql AS $$
  INSERT INTO case_search (case_id, keys, body, created_at, submitted_by)
  SELECT c.id,
         casetrail_fold(concat_ws(' ', c.reference, c.decision_no, p.account_handle, p.subject_handle)),
         casetrail_fold(concat_ws(' ', c.reference, c.decision_no, c.url, c.claim,
                                  p.account_handle, p.account_name, p.subject_handle, p.subject_name, p.content,
                                  (SELECT string_agg(e.payload ->> 'text', ' ' ORDER BY e.seq)
                                     FROM events e WHERE e.case_id = c.id AND e.type = 'case.note_added'))),
         c.created_at, c.submitted_by
    FROM cases c LEFT JOIN case_personal_data p ON p.case_id = c.id
   WHERE c.id = target
  ON CONFLICT (case_id) DO UPDATE SET keys = EXCLUDED.keys, body = EXCLUDED.body,
    created_at = EXCLUDED.created_at, submitted_by = EXCLUDED.submitted_by
$$;
