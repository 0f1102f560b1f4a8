-- User administration (SPEC §12): a user can be disabled (their tokens stop at once), a token
-- can expire, and every change to a user or a token is an event in a trail of its own.
ALTER TABLE "users" ADD COLUMN "disabled_at" TIMESTAMPTZ(3);
ALTER TABLE "api_tokens" ADD COLUMN "expires_at" TIMESTAMPTZ(3);

-- One hash chain per user, hashed exactly like a case's (docs/audit-format.md): the
-- envelope's caseId member holds the user's id. Append-only like events.
CREATE TABLE "user_events" (
    "id" BIGSERIAL NOT NULL,
    "user_id" UUID NOT NULL,
    "seq" INTEGER NOT NULL,
    "type" TEXT NOT NULL,
    "payload" JSONB NOT NULL,
    "actor_id" TEXT NOT NULL,
    "actor_roles" TEXT[] NOT NULL,
    "occurred_at" TEXT NOT NULL,
    "prev_hash" TEXT NOT NULL,
    "hash" TEXT NOT NULL,
    "recorded_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "user_events_pkey" PRIMARY KEY ("id")
);

CREATE UNIQUE INDEX "user_events_hash_key" ON "user_events"("hash");
CREATE UNIQUE INDEX "user_events_user_id_seq_key" ON "user_events"("user_id", "seq");

ALTER TABLE "user_events" ADD CONSTRAINT "user_events_seq_check" CHECK ("seq" >= 1);
ALTER TABLE "user_events" ADD CONSTRAINT "user_events_hash_check" CHECK ("hash" ~ '^[0-9a-f]{64}$');
ALTER TABLE "user_events" ADD CONSTRAINT "user_events_prev_hash_check" CHECK ("prev_hash" ~ '^[0-9a-f]{64}$');

CREATE TRIGGER "user_events_append_only" BEFORE UPDATE OR DELETE ON "user_events"
    FOR EACH ROW EXECUTE FUNCTION "casetrail_forbid_change"();
CREATE TRIGGER "user_events_no_truncate" BEFORE TRUNCATE ON "user_events"
    FOR EACH STATEMENT EXECUTE FUNCTION "casetrail_forbid_change"();
ALTER TABLE "user_events" ENABLE ALWAYS TRIGGER "user_events_append_only";
ALTER TABLE "user_events" ENABLE ALWAYS TRIGGER "user_events_no_truncate";

REVOKE UPDATE, DELETE, TRUNCATE ON "user_events" FROM PUBLIC;

-- The application role may not change the user trail either.
CREATE OR REPLACE FUNCTION "casetrail_grant_app_role"("app_role" NAME) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE format('GRANT USAGE ON SCHEMA %I TO %I', current_schema(), app_role);
    EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA %I TO %I', current_schema(), app_role);
    EXECUTE format('GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA %I TO %I', current_schema(), app_role);
    EXECUTE format('REVOKE UPDATE, DELETE, TRUNCATE ON "events", "access_log", "checkpoints", "user_events" FROM %I', app_role);
    IF to_regclass('_prisma_migrations') IS NOT NULL THEN
        EXECUTE format('REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON "_prisma_migrations" FROM %I', app_role);
    END IF;
END;
$$;
REVOKE ALL ON FUNCTION "casetrail_grant_app_role"(NAME) FROM PUBLIC;

-- A role the application already logs in as may append to the new trail without waiting for
-- the operator to run casetrail_grant_app_role again.
DO $$
DECLARE
    grantee NAME;
BEGIN
    FOR grantee IN
        SELECT DISTINCT g.grantee FROM information_schema.role_table_grants g
        WHERE g.table_schema = current_schema() AND g.table_name = 'events' AND g.privilege_type = 'INSERT'
          AND g.grantee NOT IN ('PUBLIC', current_user)
    LOOP
        EXECUTE format('GRANT SELECT, INSERT ON "user_events" TO %I', grantee);
        EXECUTE format('GRANT USAGE, SELECT ON SEQUENCE "user_events_id_seq" TO %I', grantee);
    END LOOP;
END;
$$;
