-- Rows a writer hands to the queues itself are inserted already published: only rows left
-- for the relay (published_at null) wake it.
DROP TRIGGER "outbox_notify" ON "outbox";
CREATE TRIGGER "outbox_notify" AFTER INSERT ON "outbox"
    FOR EACH ROW WHEN (NEW."published_at" IS NULL) EXECUTE FUNCTION "casetrail_outbox_notify"();
