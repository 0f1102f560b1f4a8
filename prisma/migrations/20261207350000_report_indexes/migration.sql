-- Reports over a year read tens of thousands of cases per figure: indexes that hold what the
-- figures read, so that they are answered from the index alone (an index-only scan) rather
-- than from the wide case rows. Each replaces the index on its first column.
DROP INDEX "cases_received_at_idx";
CREATE INDEX "cases_received_at_platform_category_idx" ON "cases"("received_at", "platform", "category");
DROP INDEX "cases_verified_at_idx";
CREATE INDEX "cases_verified_at_received_at_verified_by_idx" ON "cases"("verified_at", "received_at", "verified_by");
DROP INDEX "cases_referred_at_idx";
CREATE INDEX "cases_referred_at_received_at_idx" ON "cases"("referred_at", "received_at");
DROP INDEX "cases_closed_at_idx";
CREATE INDEX "cases_closed_at_received_at_outcome_idx" ON "cases"("closed_at", "received_at", "outcome");
