-- Search (docs/design.md §11): Vietnamese case- and diacritics-insensitive matching over
-- every searchable field, and the columns the filters and reports read.
--
-- unaccent and pg_trgm are trusted extensions: the owner of the database may create them.
CREATE EXTENSION IF NOT EXISTS unaccent;
CREATE EXTENSION IF NOT EXISTS pg_trgm;

-- Text as search compares it: without diacritics (đ becomes d), then lower-cased. Declared
-- immutable so that it may be stored; unaccent's rules do not change under a running system.
-- The search path is pinned to where the extensions were created.
CREATE FUNCTION casetrail_fold(value text) RETURNS text
  LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
  SET search_path FROM CURRENT
  AS $$ SELECT lower(unaccent(value)) $$;

-- An RFC 3339 time with its offset (every business date the API accepts has one) as an instant.
CREATE FUNCTION casetrail_instant(value text) RETURNS timestamptz
  LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
  AS $$ SELECT value::timestamptz $$;

-- What the filters and reports read, derived from the case row by the database itself.
ALTER TABLE "cases"
  ADD COLUMN "received_at" TIMESTAMPTZ(3) NOT NULL
    GENERATED ALWAYS AS (COALESCE(casetrail_instant("report" ->> 'receivedAt'), "created_at")) STORED,
  ADD COLUMN "verdict_code" TEXT GENERATED ALWAYS AS ("verdict" ->> 'verdict') STORED,
  ADD COLUMN "authority_code" TEXT
    GENERATED ALWAYS AS (COALESCE("referral" -> 'authority' ->> 'code', "penalty" -> 'authority' ->> 'code')) STORED;

CREATE INDEX "cases_received_at_idx" ON "cases"("received_at");
CREATE INDEX "cases_verdict_code_idx" ON "cases"("verdict_code");
CREATE INDEX "cases_authority_code_idx" ON "cases"("authority_code");
CREATE INDEX "cases_claimed_by_idx" ON "cases"("claimed_by");
CREATE INDEX "cases_verified_by_idx" ON "cases"("verified_by");
CREATE INDEX "cases_created_at_id_idx" ON "cases"("created_at", "id");

-- One row per case: its searchable text folded. keys holds the identifiers (reference,
-- decision number, account handles), which rank a match first; body holds everything:
-- reference, decision number, URL, claim, the item's account handle and name and content,
-- the penalty subject's handle and name, and the notes.
CREATE TABLE "case_search" (
  "case_id" UUID NOT NULL,
  "keys" TEXT NOT NULL,
  "body" TEXT NOT NULL,
  CONSTRAINT "case_search_pkey" PRIMARY KEY ("case_id")
);
CREATE INDEX "case_search_body_idx" ON "case_search" USING GIN ("body" gin_trgm_ops);

CREATE FUNCTION casetrail_refresh_search(target uuid) RETURNS void LANGUAGE sql AS $$
  INSERT INTO case_search (case_id, keys, body)
  SELECT c.id,
         casetrail_fold(concat_ws(' ', c.reference, c.decision_no, p.account_handle, p.subject_handle)),
         casetrail_fold(concat_ws(' ', c.reference, c.decision_no, c.url, c.claim,
                                  p.account_handle, p.account_name, p.subject_handle, p.subject_name, p.content,
                                  (SELECT string_agg(e.payload ->> 'text', ' ' ORDER BY e.seq)
                                     FROM events e WHERE e.case_id = c.id AND e.type = 'case.note_added')))
    FROM cases c LEFT JOIN case_personal_data p ON p.case_id = c.id
   WHERE c.id = target
  ON CONFLICT (case_id) DO UPDATE SET keys = EXCLUDED.keys, body = EXCLUDED.body
$$;

-- The index follows its sources in the transaction that changes them: a case received or
-- given a decision number, personal data stored or erased, a note added.
CREATE FUNCTION casetrail_search_on_case() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM casetrail_refresh_search(NEW.id);
  RETURN NULL;
END $$;

CREATE FUNCTION casetrail_search_on_case_data() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'DELETE' THEN
    PERFORM casetrail_refresh_search(OLD.case_id);
  ELSE
    PERFORM casetrail_refresh_search(NEW.case_id);
  END IF;
  RETURN NULL;
END $$;

CREATE TRIGGER "cases_search_insert" AFTER INSERT ON "cases"
  FOR EACH ROW EXECUTE FUNCTION casetrail_search_on_case();
CREATE TRIGGER "cases_search_decision" AFTER UPDATE OF "decision_no" ON "cases"
  FOR EACH ROW WHEN (OLD."decision_no" IS DISTINCT FROM NEW."decision_no") EXECUTE FUNCTION casetrail_search_on_case();
CREATE TRIGGER "case_personal_data_search" AFTER INSERT OR UPDATE OR DELETE ON "case_personal_data"
  FOR EACH ROW EXECUTE FUNCTION casetrail_search_on_case_data();
CREATE TRIGGER "events_search_note" AFTER INSERT ON "events"
  FOR EACH ROW WHEN (NEW."type" = 'case.note_added') EXECUTE FUNCTION casetrail_search_on_case_data();

SELECT casetrail_refresh_search(id) FROM "cases";
