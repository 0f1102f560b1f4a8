-- A year's report at a million cases (docs/performance.md, "Reads at scale"): two figures
-- read every row of the year from the tables themselves.
--
-- Claims per verifier: the claim events of the period with their actor, from the index alone
-- (events are never updated, so the index-only scan never visits the table).
DROP INDEX "events_type_occurred_at_idx";
CREATE INDEX "events_type_occurred_at_actor_id_idx" ON "events"("type", "occurred_at", "actor_id");

-- Cases received per topic: from case_topics, which now holds when its case was received
-- (the report's receivedAt, which never changes after intake).
ALTER TABLE "case_topics" ADD COLUMN "received_at" TIMESTAMPTZ(3);
UPDATE "case_topics" t SET "received_at" = c."received_at" FROM "cases" c WHERE c."id" = t."case_id";
ALTER TABLE "case_topics" ALTER COLUMN "received_at" SET NOT NULL;
CREATE INDEX "case_topics_received_at_topic_idx" ON "case_topics"("received_at", "topic");

CREATE OR REPLACE FUNCTION casetrail_case_topics() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'UPDATE' THEN
    DELETE FROM case_topics
     WHERE topic = ANY (ARRAY(SELECT unnest(OLD.topics) EXCEPT SELECT unnest(NEW.topics)))
       AND created_at = OLD.created_at AND case_id = OLD.id;
  END IF;
  INSERT INTO case_topics (topic, created_at, case_id, received_at)
  SELECT DISTINCT t, NEW.created_at, NEW.id, NEW.received_at FROM unnest(NEW.topics) t
  ON CONFLICT DO NOTHING;
  RETURN NULL;
END $$;
