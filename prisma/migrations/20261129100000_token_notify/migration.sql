-- An API process keeps the owners of the tokens it has seen in memory (createTokenCache),
-- trusted only while it LISTENs on this channel. A revocation, a token or user removed, or
-- a user's roles changed notify it at commit, and every process forgets what it knew.
-- Statement-level, so a bulk change sends one notice; last_used_at (touched once a minute
-- per token) is not a column that sends one.
CREATE FUNCTION "casetrail_notify_token_change"() RETURNS TRIGGER
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('casetrail_tokens', TG_TABLE_NAME);
    RETURN NULL;
END;
$$;

CREATE TRIGGER "api_tokens_notify_change" AFTER UPDATE OF "revoked_at", "token_hash", "user_id" OR DELETE ON "api_tokens"
    FOR EACH STATEMENT EXECUTE FUNCTION "casetrail_notify_token_change"();
CREATE TRIGGER "api_tokens_notify_truncate" AFTER TRUNCATE ON "api_tokens"
    FOR EACH STATEMENT EXECUTE FUNCTION "casetrail_notify_token_change"();
CREATE TRIGGER "users_notify_change" AFTER UPDATE OF "roles", "name", "id" OR DELETE ON "users"
    FOR EACH STATEMENT EXECUTE FUNCTION "casetrail_notify_token_change"();
CREATE TRIGGER "users_notify_truncate" AFTER TRUNCATE ON "users"
    FOR EACH STATEMENT EXECUTE FUNCTION "casetrail_notify_token_change"();

-- Heard even in a session that disables ordinary triggers (session_replication_role).
ALTER TABLE "api_tokens" ENABLE ALWAYS TRIGGER "api_tokens_notify_change";
ALTER TABLE "api_tokens" ENABLE ALWAYS TRIGGER "api_tokens_notify_truncate";
ALTER TABLE "users" ENABLE ALWAYS TRIGGER "users_notify_change";
ALTER TABLE "users" ENABLE ALWAYS TRIGGER "users_notify_truncate";
