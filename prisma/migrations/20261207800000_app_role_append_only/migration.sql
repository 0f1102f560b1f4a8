-- The application role may change no append-only table: the Merkle log (entries, nodes,
-- tree heads and their time-stamp anchors) and the signing keys join the events, access
-- log, checkpoints and user trail. casetrail runs this grant at every start, so a role
-- granted before this migration loses those rights at its next start.
CREATE OR REPLACE FUNCTION "casetrail_grant_app_role"("app_role" NAME) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE format('GRANT USAGE ON SCHEMA %I TO %I', current_schema(), app_role);
    EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA %I TO %I', current_schema(), app_role);
    EXECUTE format('GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA %I TO %I', current_schema(), app_role);
    EXECUTE format('REVOKE UPDATE, DELETE, TRUNCATE ON "events", "access_log", "checkpoints", "user_events", '
        '"log_entries", "log_nodes", "tree_heads", "tree_head_anchors", "signing_keys" FROM %I', app_role);
    IF to_regclass('_prisma_migrations') IS NOT NULL THEN
        EXECUTE format('REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON "_prisma_migrations" FROM %I', app_role);
    END IF;
END;
$$;
REVOKE ALL ON FUNCTION "casetrail_grant_app_role"(NAME) FROM PUBLIC;
