-- A decision number is unique by its key (NFKC, case folded, whitespace collapsed: see
-- decisionNoKey in src/domain/identifiers.ts), which the application writes beside it, so
-- that QD-X-1 and qd-x-1 are one number. The rule lives in TypeScript, not in SQL: casetrail
-- fills the keys of the cases recorded before when it migrates (fillIdentifierKeys), and a
-- number whose key an earlier case already holds keeps no key and is named in its log.
ALTER TABLE "cases" ADD COLUMN "decision_key" TEXT;

CREATE UNIQUE INDEX "cases_decision_key_key" ON "cases"("decision_key");
