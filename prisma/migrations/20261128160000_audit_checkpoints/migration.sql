-- Audit sealing: what a checkpoint commits to besides its Merkle root, a guard against two
-- sealers forking the checkpoint chain, the commit barrier the sealer needs, and the
-- checkpoints table made append-only like the events it seals (docs/audit-format.md).
-- No checkpoint was written before this migration (no sealer existed), so the NOT NULL
-- columns need no default.

-- AlterTable
ALTER TABLE "checkpoints" ADD COLUMN "heads" JSONB NOT NULL,
ADD COLUMN "heads_hash" TEXT NOT NULL;

-- CreateIndex
CREATE UNIQUE INDEX "checkpoints_prev_hash_key" ON "checkpoints"("prev_hash");

-- ---------------------------------------------------------------------------------------
-- Hand-written rules (see the init migration).
-- ---------------------------------------------------------------------------------------

ALTER TABLE "checkpoints" ADD CONSTRAINT "checkpoints_heads_hash_check" CHECK ("heads_hash" ~ '^[0-9a-f]{64}$');
ALTER TABLE "checkpoints" ADD CONSTRAINT "checkpoints_signature_check" CHECK ("signature" ~ '^[0-9a-f]{128}$');
ALTER TABLE "checkpoints" ADD CONSTRAINT "checkpoints_range_check"
    CHECK ("from_event_id" >= 1 AND "to_event_id" >= "from_event_id" AND "event_count" >= 1);

-- Checkpoints are numbered 1, 2, 3... by the sealer (the id is set explicitly, never drawn
-- from the sequence); with the unique prev_hash, two sealers can never fork the chain.
ALTER TABLE "checkpoints" ADD CONSTRAINT "checkpoints_id_check" CHECK ("id" >= 1);

-- A checkpoint covers every event with an id in its range, so event ids must be drawn in
-- the order their transactions could see them: no per-session caching of the sequence.
ALTER SEQUENCE "events_id_seq" CACHE 1;

-- The commit barrier. Event ids come from a sequence, so a transaction holding a low id can
-- commit after one holding a higher id; a sealer that took "everything up to the highest id"
-- could miss the late one for ever. Every transaction that draws an event id holds ROW
-- EXCLUSIVE on "events" from its INSERT to its end, and SHARE mode conflicts with it: once
-- this lock is granted, no transaction holding an uncommitted event id remains, and every
-- id drawn later is higher than the maximum read here. The lock lasts until the caller's
-- transaction ends, so the sealer calls this in a transaction of its own and commits at
-- once (with a lock_timeout, so a stuck writer delays sealing, never the writers for long).
-- SECURITY DEFINER because LOCK ... IN SHARE MODE needs UPDATE, DELETE or TRUNCATE on the
-- table, which the application role must not have.
CREATE FUNCTION "casetrail_event_barrier"() RETURNS BIGINT
LANGUAGE plpgsql SECURITY DEFINER SET search_path FROM CURRENT AS $$
BEGIN
    LOCK TABLE "events" IN SHARE MODE;
    RETURN (SELECT COALESCE(MAX("id"), 0) FROM "events");
END;
$$;

-- Append-only, like the trail (see the init migration for why ENABLE ALWAYS).
CREATE TRIGGER "checkpoints_append_only" BEFORE UPDATE OR DELETE ON "checkpoints"
    FOR EACH ROW EXECUTE FUNCTION "casetrail_forbid_change"();
CREATE TRIGGER "checkpoints_no_truncate" BEFORE TRUNCATE ON "checkpoints"
    FOR EACH STATEMENT EXECUTE FUNCTION "casetrail_forbid_change"();
ALTER TABLE "checkpoints" ENABLE ALWAYS TRIGGER "checkpoints_append_only";
ALTER TABLE "checkpoints" ENABLE ALWAYS TRIGGER "checkpoints_no_truncate";

REVOKE UPDATE, DELETE, TRUNCATE ON "checkpoints" FROM PUBLIC;

-- The application role may not change checkpoints either.
CREATE OR REPLACE FUNCTION "casetrail_grant_app_role"("app_role" NAME) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE format('GRANT USAGE ON SCHEMA %I TO %I', current_schema(), app_role);
    EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA %I TO %I', current_schema(), app_role);
    EXECUTE format('GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA %I TO %I', current_schema(), app_role);
    EXECUTE format('REVOKE UPDATE, DELETE, TRUNCATE ON "events", "access_log", "checkpoints" FROM %I', app_role);
    IF to_regclass('_prisma_migrations') IS NOT NULL THEN
        EXECUTE format('REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON "_prisma_migrations" FROM %I', app_role);
    END IF;
END;
$$;
REVOKE ALL ON FUNCTION "casetrail_grant_app_role"(NAME) FROM PUBLIC;
