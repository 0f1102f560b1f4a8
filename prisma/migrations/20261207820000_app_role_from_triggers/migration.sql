-- The application role's rights, without naming the append-only tables: every table of the
-- schema that carries a "<table>_append_only" trigger (the events, the access log, the
-- checkpoints, the user trail, the Merkle log and its keys and anchors, and any later trail)
-- loses UPDATE, DELETE and TRUNCATE. A migration adding such a table no longer redefines
-- this function.
CREATE OR REPLACE FUNCTION "casetrail_grant_app_role"("app_role" NAME) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
    append_only RECORD;
BEGIN
    EXECUTE format('GRANT USAGE ON SCHEMA %I TO %I', current_schema(), app_role);
    EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA %I TO %I', current_schema(), app_role);
    EXECUTE format('GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA %I TO %I', current_schema(), app_role);
    FOR append_only IN
        SELECT DISTINCT c.relname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
         WHERE t.tgname = c.relname || '_append_only' AND c.relnamespace = current_schema()::regnamespace
    LOOP
        EXECUTE format('REVOKE UPDATE, DELETE, TRUNCATE ON %I FROM %I', append_only.relname, app_role);
    END LOOP;
    IF to_regclass('_prisma_migrations') IS NOT NULL THEN
        EXECUTE format('REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON "_prisma_migrations" FROM %I', app_role);
    END IF;
END;
$$;
REVOKE ALL ON FUNCTION "casetrail_grant_app_role"(NAME) FROM PUBLIC;
