-- CreateTable
CREATE TABLE "users" (
    "id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "roles" TEXT[],
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "users_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "api_tokens" (
    "id" UUID NOT NULL,
    "user_id" UUID NOT NULL,
    "token_hash" TEXT NOT NULL,
    "label" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "revoked_at" TIMESTAMPTZ(3),
    "last_used_at" TIMESTAMPTZ(3),

    CONSTRAINT "api_tokens_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "cases" (
    "id" UUID NOT NULL,
    "reference" TEXT NOT NULL,
    "stage" TEXT NOT NULL,
    "outcome" TEXT,
    "version" INTEGER NOT NULL,
    "priority" TEXT NOT NULL,
    "category" TEXT NOT NULL,
    "platform" TEXT NOT NULL,
    "claim" TEXT NOT NULL,
    "url" TEXT NOT NULL,
    "fingerprint" TEXT NOT NULL,
    "content_hash" TEXT NOT NULL,
    "item" JSONB NOT NULL,
    "report" JSONB NOT NULL,
    "submitted_by" UUID NOT NULL,
    "claimed_by" UUID,
    "claimed_until" TIMESTAMPTZ(3),
    "verified_by" UUID,
    "verdict" JSONB,
    "referral" JSONB,
    "penalty" JSONB,
    "penalty_recorded_by" UUID,
    "decision_no" TEXT,
    "appeal" JSONB,
    "duplicate_of" UUID,
    "merged_reports" INTEGER NOT NULL DEFAULT 0,
    "related_cases" UUID[] DEFAULT ARRAY[]::UUID[],
    "stage_entered_at" TIMESTAMPTZ(3) NOT NULL,
    "deadline_at" TIMESTAMPTZ(3),
    "head_hash" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "cases_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "case_personal_data" (
    "case_id" UUID NOT NULL,
    "account_handle" TEXT,
    "account_name" TEXT,
    "content" TEXT,
    "subject_handle" TEXT,
    "subject_name" TEXT,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "case_personal_data_pkey" PRIMARY KEY ("case_id")
);

-- CreateTable
CREATE TABLE "commands" (
    "id" UUID NOT NULL,
    "type" TEXT NOT NULL,
    "case_id" UUID NOT NULL,
    "actor_id" UUID NOT NULL,
    "actor_roles" TEXT[],
    "payload" JSONB NOT NULL,
    "expected_version" INTEGER,
    "status" TEXT NOT NULL DEFAULT 'pending',
    "problem" JSONB,
    "result_version" INTEGER,
    "idempotency_key" TEXT,
    "request_hash" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "applied_at" TIMESTAMPTZ(3),

    CONSTRAINT "commands_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "outbox" (
    "id" UUID NOT NULL,
    "queue" TEXT NOT NULL,
    "job_name" TEXT NOT NULL,
    "payload" JSONB NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "published_at" TIMESTAMPTZ(3),
    "attempts" INTEGER NOT NULL DEFAULT 0,

    CONSTRAINT "outbox_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "events" (
    "id" BIGSERIAL NOT NULL,
    "case_id" UUID NOT NULL,
    "seq" INTEGER NOT NULL,
    "type" TEXT NOT NULL,
    "payload" JSONB NOT NULL,
    "actor_id" TEXT NOT NULL,
    "actor_roles" TEXT[],
    "command_id" UUID,
    "occurred_at" TEXT NOT NULL,
    "prev_hash" TEXT NOT NULL,
    "hash" TEXT NOT NULL,
    "recorded_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "events_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "access_log" (
    "id" BIGSERIAL NOT NULL,
    "actor_id" UUID NOT NULL,
    "action" TEXT NOT NULL,
    "case_id" UUID,
    "purpose" TEXT,
    "at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "access_log_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "checkpoints" (
    "id" BIGSERIAL NOT NULL,
    "from_event_id" BIGINT NOT NULL,
    "to_event_id" BIGINT NOT NULL,
    "event_count" INTEGER NOT NULL,
    "root" TEXT NOT NULL,
    "prev_hash" TEXT NOT NULL,
    "hash" TEXT NOT NULL,
    "signature" TEXT NOT NULL,
    "key_id" TEXT NOT NULL,
    "created_at" TEXT NOT NULL,

    CONSTRAINT "checkpoints_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "reference_counters" (
    "year" INTEGER NOT NULL,
    "last" INTEGER NOT NULL,

    CONSTRAINT "reference_counters_pkey" PRIMARY KEY ("year")
);

-- CreateIndex
CREATE UNIQUE INDEX "users_name_key" ON "users"("name");

-- CreateIndex
CREATE UNIQUE INDEX "api_tokens_token_hash_key" ON "api_tokens"("token_hash");

-- CreateIndex
CREATE INDEX "api_tokens_user_id_idx" ON "api_tokens"("user_id");

-- CreateIndex
CREATE UNIQUE INDEX "cases_reference_key" ON "cases"("reference");

-- CreateIndex
CREATE UNIQUE INDEX "cases_decision_no_key" ON "cases"("decision_no");

-- CreateIndex
CREATE INDEX "cases_stage_priority_created_at_idx" ON "cases"("stage", "priority", "created_at");

-- CreateIndex
CREATE INDEX "cases_fingerprint_idx" ON "cases"("fingerprint");

-- CreateIndex
CREATE INDEX "cases_content_hash_idx" ON "cases"("content_hash");

-- CreateIndex
CREATE INDEX "cases_submitted_by_idx" ON "cases"("submitted_by");

-- CreateIndex
CREATE INDEX "commands_case_id_idx" ON "commands"("case_id");

-- CreateIndex
CREATE INDEX "commands_status_created_at_idx" ON "commands"("status", "created_at");

-- CreateIndex
CREATE UNIQUE INDEX "commands_actor_id_idempotency_key_key" ON "commands"("actor_id", "idempotency_key");

-- CreateIndex
CREATE INDEX "outbox_published_at_created_at_idx" ON "outbox"("published_at", "created_at");

-- CreateIndex
CREATE INDEX "events_command_id_idx" ON "events"("command_id");

-- CreateIndex
CREATE UNIQUE INDEX "events_hash_key" ON "events"("hash");

-- CreateIndex
CREATE UNIQUE INDEX "events_case_id_seq_key" ON "events"("case_id", "seq");

-- CreateIndex
CREATE INDEX "access_log_case_id_idx" ON "access_log"("case_id");

-- CreateIndex
CREATE UNIQUE INDEX "checkpoints_hash_key" ON "checkpoints"("hash");

-- AddForeignKey
ALTER TABLE "api_tokens" ADD CONSTRAINT "api_tokens_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- ---------------------------------------------------------------------------------------
-- Everything below is hand-written: rules Prisma's schema language cannot express.
-- Prisma's differ ignores CHECK constraints, triggers and functions, so none of this shows
-- up as drift. The allowed values mirror src/domain, which is their single source of truth;
-- a value added there needs a migration that replaces the matching constraint here.
-- ---------------------------------------------------------------------------------------

-- Prisma creates list columns nullable although its client types them as never null (a
-- NULL would reach code typed string[]). Prisma reads any array column as a list whatever
-- its nullability, so this is not drift.
ALTER TABLE "users" ALTER COLUMN "roles" SET NOT NULL;
ALTER TABLE "cases" ALTER COLUMN "related_cases" SET NOT NULL;
ALTER TABLE "commands" ALTER COLUMN "actor_roles" SET NOT NULL;
ALTER TABLE "events" ALTER COLUMN "actor_roles" SET NOT NULL;

-- Enumerated values
ALTER TABLE "cases" ADD CONSTRAINT "cases_stage_check"
    CHECK ("stage" IN ('received', 'verified', 'referred', 'penalty_issued', 'closed'));
ALTER TABLE "cases" ADD CONSTRAINT "cases_outcome_check"
    CHECK ("outcome" IN ('dismissed', 'duplicate', 'no_violation', 'penalty_enforced', 'penalty_overturned', 'withdrawn'));
-- A closed case has exactly one outcome; an open case has none.
ALTER TABLE "cases" ADD CONSTRAINT "cases_outcome_iff_closed_check"
    CHECK (("outcome" IS NOT NULL) = ("stage" = 'closed'));
ALTER TABLE "cases" ADD CONSTRAINT "cases_priority_check"
    CHECK ("priority" IN ('low', 'normal', 'high', 'urgent'));
ALTER TABLE "commands" ADD CONSTRAINT "commands_status_check"
    CHECK ("status" IN ('pending', 'applied', 'rejected'));

-- Per-case chains start at 1 (gaps are prevented by the writer; forks by events_case_id_seq_key).
ALTER TABLE "events" ADD CONSTRAINT "events_seq_check" CHECK ("seq" >= 1);

-- SHA-256 digests, always lower-case hex.
ALTER TABLE "events" ADD CONSTRAINT "events_hash_check" CHECK ("hash" ~ '^[0-9a-f]{64}$');
ALTER TABLE "events" ADD CONSTRAINT "events_prev_hash_check" CHECK ("prev_hash" ~ '^[0-9a-f]{64}$');
ALTER TABLE "cases" ADD CONSTRAINT "cases_head_hash_check" CHECK ("head_hash" ~ '^[0-9a-f]{64}$');
ALTER TABLE "cases" ADD CONSTRAINT "cases_content_hash_check" CHECK ("content_hash" ~ '^[0-9a-f]{64}$');
ALTER TABLE "checkpoints" ADD CONSTRAINT "checkpoints_root_check" CHECK ("root" ~ '^[0-9a-f]{64}$');
ALTER TABLE "checkpoints" ADD CONSTRAINT "checkpoints_hash_check" CHECK ("hash" ~ '^[0-9a-f]{64}$');
ALTER TABLE "checkpoints" ADD CONSTRAINT "checkpoints_prev_hash_check" CHECK ("prev_hash" ~ '^[0-9a-f]{64}$');
ALTER TABLE "api_tokens" ADD CONSTRAINT "api_tokens_token_hash_check" CHECK ("token_hash" ~ '^[0-9a-f]{64}$');
ALTER TABLE "commands" ADD CONSTRAINT "commands_request_hash_check" CHECK ("request_hash" ~ '^[0-9a-f]{64}$');

-- Append-only audit tables. Triggers are ENABLE ALWAYS so that
-- session_replication_role = replica (which skips ordinary triggers) does not bypass them.
-- Only the table owner or a superuser can disable a trigger, which is why the application
-- must not log in as the owner (see casetrail_grant_app_role below).
CREATE FUNCTION "casetrail_forbid_change"() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '% is append-only', TG_TABLE_NAME
        USING ERRCODE = 'raise_exception', HINT = TG_OP || ' is not allowed on ' || TG_TABLE_NAME;
END;
$$;

CREATE TRIGGER "events_append_only" BEFORE UPDATE OR DELETE ON "events"
    FOR EACH ROW EXECUTE FUNCTION "casetrail_forbid_change"();
CREATE TRIGGER "events_no_truncate" BEFORE TRUNCATE ON "events"
    FOR EACH STATEMENT EXECUTE FUNCTION "casetrail_forbid_change"();
ALTER TABLE "events" ENABLE ALWAYS TRIGGER "events_append_only";
ALTER TABLE "events" ENABLE ALWAYS TRIGGER "events_no_truncate";

CREATE TRIGGER "access_log_append_only" BEFORE UPDATE OR DELETE ON "access_log"
    FOR EACH ROW EXECUTE FUNCTION "casetrail_forbid_change"();
CREATE TRIGGER "access_log_no_truncate" BEFORE TRUNCATE ON "access_log"
    FOR EACH STATEMENT EXECUTE FUNCTION "casetrail_forbid_change"();
ALTER TABLE "access_log" ENABLE ALWAYS TRIGGER "access_log_append_only";
ALTER TABLE "access_log" ENABLE ALWAYS TRIGGER "access_log_no_truncate";

-- Wakes the outbox relay. NOTIFY is delivered at commit, and identical notifications in one
-- transaction are folded into one, so a statement-level trigger is enough; the relay still
-- polls, since a relay that was not listening at commit time never hears it.
CREATE FUNCTION "casetrail_outbox_notify"() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('casetrail_outbox', '');
    RETURN NULL;
END;
$$;

CREATE TRIGGER "outbox_notify" AFTER INSERT ON "outbox"
    FOR EACH STATEMENT EXECUTE FUNCTION "casetrail_outbox_notify"();

-- Privileges. PUBLIC gets no table privileges by default; this revoke keeps it that way
-- even where a cluster's default privileges were widened.
REVOKE UPDATE, DELETE, TRUNCATE ON "events", "access_log" FROM PUBLIC;

-- Deployments run migrations as the owning role and let the application log in as a
-- separate, non-owner role. Roles are cluster-wide, so migrations never create them; the
-- operator does, once, and grants with this function (idempotent; re-run it after each
-- migration that adds tables or sequences):
--   CREATE ROLE casetrail_app LOGIN PASSWORD '...';
--   SELECT casetrail_grant_app_role('casetrail_app');
-- The role may then read and write every table, but not UPDATE, DELETE or TRUNCATE the
-- audit tables, nor change the migration history.
CREATE FUNCTION "casetrail_grant_app_role"("app_role" NAME) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE format('GRANT USAGE ON SCHEMA %I TO %I', current_schema(), app_role);
    EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA %I TO %I', current_schema(), app_role);
    EXECUTE format('GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA %I TO %I', current_schema(), app_role);
    EXECUTE format('REVOKE UPDATE, DELETE, TRUNCATE ON "events", "access_log" FROM %I', app_role);
    IF to_regclass('_prisma_migrations') IS NOT NULL THEN
        EXECUTE format('REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON "_prisma_migrations" FROM %I', app_role);
    END IF;
END;
$$;
REVOKE ALL ON FUNCTION "casetrail_grant_app_role"(NAME) FROM PUBLIC;
