-- Stage visits (docs/design.md §11): one row per visit of a case to an open stage, from the
-- event that entered it to the next stage-entering event, with the deadline the first one
-- carried. A projection of the trail kept by a trigger in the transaction that appends the
-- events, so that a report's share of visits within their SLA reads an index range instead
-- of walking the trail.
CREATE TABLE "stage_visits" (
  "case_id" UUID NOT NULL,
  "seq" INTEGER NOT NULL,
  "stage" TEXT NOT NULL,
  "entered_at" TIMESTAMPTZ(3) NOT NULL,
  "deadline_at" TIMESTAMPTZ(3),
  "left_at" TIMESTAMPTZ(3),
  CONSTRAINT "stage_visits_pkey" PRIMARY KEY ("case_id", "seq")
);
CREATE INDEX "stage_visits_left_at_idx" ON "stage_visits"("left_at");

CREATE FUNCTION casetrail_stage_visit() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE stage_visits SET left_at = casetrail_instant(NEW.occurred_at)
   WHERE case_id = NEW.case_id AND left_at IS NULL;
  IF NEW.type <> 'case.closed' THEN
    INSERT INTO stage_visits (case_id, seq, stage, entered_at, deadline_at)
    VALUES (NEW.case_id, NEW.seq,
            CASE NEW.type WHEN 'case.received' THEN 'received' WHEN 'case.verified' THEN 'verified'
                          WHEN 'case.referred' THEN 'referred' ELSE 'penalty_issued' END,
            casetrail_instant(NEW.occurred_at), casetrail_instant(NEW.payload ->> 'deadlineAt'));
  END IF;
  RETURN NULL;
END $$;

CREATE TRIGGER "events_stage_visit" AFTER INSERT ON "events" FOR EACH ROW
  WHEN (NEW."type" IN ('case.received', 'case.verified', 'case.referred', 'case.penalty_issued', 'case.closed'))
  EXECUTE FUNCTION casetrail_stage_visit();

-- The visits of the trail so far.
INSERT INTO "stage_visits" (case_id, seq, stage, entered_at, deadline_at, left_at)
SELECT case_id, seq, stage, entered_at, deadline_at, left_at FROM (
  SELECT case_id, seq, type,
         CASE type WHEN 'case.received' THEN 'received' WHEN 'case.verified' THEN 'verified'
                   WHEN 'case.referred' THEN 'referred' ELSE 'penalty_issued' END AS stage,
         casetrail_instant(occurred_at) AS entered_at, casetrail_instant(payload ->> 'deadlineAt') AS deadline_at,
         lead(casetrail_instant(occurred_at)) OVER (PARTITION BY case_id ORDER BY seq) AS left_at
    FROM events
   WHERE type IN ('case.received', 'case.verified', 'case.referred', 'case.penalty_issued', 'case.closed')) v
 WHERE type <> 'case.closed';
