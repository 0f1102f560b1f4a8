-- The write path pays for every index of cases on every transition (a transition changes
-- indexed columns, so no update is HOT): the indexes of filters that a page cut by time
-- serves well enough go (verdict, authority, claim holder, verifier), and the search text is
-- refreshed once per submission, from the personal data every submission stores (its
-- content is required), not also from the case row.
DROP INDEX "cases_verdict_code_idx";
DROP INDEX "cases_authority_code_idx";
DROP INDEX "cases_claimed_by_idx";
DROP INDEX "cases_verified_by_idx";
DROP TRIGGER "cases_search_insert" ON "cases";
