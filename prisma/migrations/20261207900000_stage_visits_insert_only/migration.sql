-- Stage visits written once, when the case leaves the stage (docs/performance.md, "What the
-- read side costs the write path"). A transition used to update the open visit and insert the
-- next one: two row versions and four index entries, the update never HOT since left_at is
-- indexed. Now the event that leaves a stage inserts the completed visit, found from the
-- stage-entering event before it, and nothing else: one row and one index entry. The report
-- reads completed visits by left_at, so the primary key leads with it and is the only index.
-- Imported history is at its business time (payload.imported.at), as before.
DELETE FROM "stage_visits" WHERE "left_at" IS NULL;
ALTER TABLE "stage_visits" DROP CONSTRAINT "stage_visits_pkey";
DROP INDEX "stage_visits_left_at_idx";
ALTER TABLE "stage_visits" ALTER COLUMN "left_at" SET NOT NULL;
ALTER TABLE "stage_visits" ADD CONSTRAINT "stage_visits_pkey" PRIMARY KEY ("left_at", "case_id", "seq");

CREATE OR REPLACE FUNCTION casetrail_stage_visit() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO stage_visits (case_id, seq, stage, entered_at, deadline_at, left_at)
  SELECT e.case_id, e.seq,
         CASE e.type WHEN 'case.received' THEN 'received' WHEN 'case.verified' THEN 'verified'
                     WHEN 'case.referred' THEN 'referred' ELSE 'penalty_issued' END,
         casetrail_instant(COALESCE(e.payload -> 'imported' ->> 'at', e.occurred_at)),
         casetrail_instant(e.payload ->> 'deadlineAt'),
         casetrail_instant(COALESCE(NEW.payload -> 'imported' ->> 'at', NEW.occurred_at))
    FROM (SELECT p.case_id, p.seq, p.type, p.payload, p.occurred_at
            FROM events p
           WHERE p.case_id = NEW.case_id AND p.seq < NEW.seq
             AND p.type IN ('case.received', 'case.verified', 'case.referred', 'case.penalty_issued', 'case.closed')
           ORDER BY p.seq DESC
           LIMIT 1) e
   WHERE e.type <> 'case.closed';
  RETURN NULL;
END $$;

-- case.received is always the first event: it leaves no stage.
DROP TRIGGER "events_stage_visit" ON "events";
CREATE TRIGGER "events_stage_visit" AFTER INSERT ON "events" FOR EACH ROW
  WHEN (NEW."type" IN ('case.verified', 'case.referred', 'case.penalty_issued', 'case.closed'))
  EXECUTE FUNCTION casetrail_stage_visit();
