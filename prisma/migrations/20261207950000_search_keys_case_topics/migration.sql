-- Reads at a million cases (docs/performance.md, "Reads at scale").
--
-- A search ranks identifier matches (reference, decision number, handles) first: finding them
-- among a million cases reads a trigram index of the identifiers instead of every row.
CREATE INDEX "case_search_keys_idx" ON "case_search" USING GIN ("keys" gin_trgm_ops);

-- A case list filtered by topic reads the topic's cases newest first and stops at the page:
-- one row per (topic, case), in the order of the list. It replaces the GIN index of
-- cases.topics, which took a new entry on every transition of every case (a transition is
-- not a HOT update) while only a tagging changes the topics.
CREATE TABLE "case_topics" (
  "topic" TEXT NOT NULL,
  "created_at" TIMESTAMPTZ(3) NOT NULL,
  "case_id" UUID NOT NULL,
  CONSTRAINT "case_topics_pkey" PRIMARY KEY ("topic", "created_at", "case_id")
);

DROP INDEX "cases_topics_idx";

-- Kept by the database in the transaction that changes a case's topics.
CREATE FUNCTION casetrail_case_topics() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'UPDATE' THEN
    DELETE FROM case_topics
     WHERE topic = ANY (ARRAY(SELECT unnest(OLD.topics) EXCEPT SELECT unnest(NEW.topics)))
       AND created_at = OLD.created_at AND case_id = OLD.id;
  END IF;
  INSERT INTO case_topics (topic, created_at, case_id)
  SELECT DISTINCT t, NEW.created_at, NEW.id FROM unnest(NEW.topics) t
  ON CONFLICT DO NOTHING;
  RETURN NULL;
END $$;

CREATE TRIGGER "cases_topics_insert" AFTER INSERT ON "cases"
  FOR EACH ROW WHEN (cardinality(NEW."topics") > 0) EXECUTE FUNCTION casetrail_case_topics();
CREATE TRIGGER "cases_topics_update" AFTER UPDATE OF "topics" ON "cases"
  FOR EACH ROW WHEN (OLD."topics" IS DISTINCT FROM NEW."topics") EXECUTE FUNCTION casetrail_case_topics();

INSERT INTO "case_topics" ("topic", "created_at", "case_id")
SELECT DISTINCT t, c."created_at", c."id" FROM "cases" c, unnest(c."topics") t;
