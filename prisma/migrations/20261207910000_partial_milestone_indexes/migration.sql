-- The milestone indexes of cases hold only the cases that reached the milestone (docs/
-- performance.md, "What the read side costs the write path"). No transition of a case is a
-- HOT update, so each one gave every index of cases a new entry, a case that was not yet
-- verified, referred, penalised or closed included (a null is indexed too). A report reads a
-- milestone in a period (a range, which implies the milestone is not null), so these partial
-- indexes serve it as the full ones did, index-only where it was; an open case's transitions
-- no longer write to the indexes of the milestones it has not reached.
DROP INDEX "cases_verified_at_received_at_verified_by_idx";
CREATE INDEX "cases_verified_at_received_at_verified_by_idx" ON "cases"("verified_at", "received_at", "verified_by")
  WHERE "verified_at" IS NOT NULL;
DROP INDEX "cases_referred_at_received_at_idx";
CREATE INDEX "cases_referred_at_received_at_idx" ON "cases"("referred_at", "received_at")
  WHERE "referred_at" IS NOT NULL;
DROP INDEX "cases_penalty_issued_at_idx";
CREATE INDEX "cases_penalty_issued_at_idx" ON "cases"("penalty_issued_at")
  WHERE "penalty_issued_at" IS NOT NULL;
DROP INDEX "cases_closed_at_received_at_outcome_idx";
CREATE INDEX "cases_closed_at_received_at_outcome_idx" ON "cases"("closed_at", "received_at", "outcome")
  WHERE "closed_at" IS NOT NULL;
