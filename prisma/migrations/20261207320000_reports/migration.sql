-- Reports (docs/design.md §11): when each case reached the milestones a report counts, as
-- columns the database derives from the case row, so that a period is an index range.
ALTER TABLE "cases"
  ADD COLUMN "verified_at" TIMESTAMPTZ(3) GENERATED ALWAYS AS (casetrail_instant("verdict" ->> 'verifiedAt')) STORED,
  ADD COLUMN "referred_at" TIMESTAMPTZ(3) GENERATED ALWAYS AS (casetrail_instant("referral" ->> 'referredAt')) STORED,
  ADD COLUMN "penalty_issued_at" TIMESTAMPTZ(3) GENERATED ALWAYS AS (casetrail_instant("penalty" ->> 'issuedAt')) STORED,
  ADD COLUMN "closed_at" TIMESTAMPTZ(3) GENERATED ALWAYS AS (CASE WHEN "stage" = 'closed' THEN "stage_entered_at" END) STORED;

CREATE INDEX "cases_verified_at_idx" ON "cases"("verified_at");
CREATE INDEX "cases_referred_at_idx" ON "cases"("referred_at");
CREATE INDEX "cases_penalty_issued_at_idx" ON "cases"("penalty_issued_at");
CREATE INDEX "cases_closed_at_idx" ON "cases"("closed_at");

-- Events of one type in a period (claims, appeals, stage changes): occurred_at is the RFC 3339
-- UTC string that was hashed, whose text order is time order.
CREATE INDEX "events_type_occurred_at_idx" ON "events"("type", "occurred_at");
