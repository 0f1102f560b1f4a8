-- One append-only Merkle log over every event in id order, its signed tree heads and the
-- tree of case heads they commit to (docs/audit-format.md). Existing events enter the log
-- in id order on the sealer's first round after this migration; existing checkpoints stay.

-- CreateTable
CREATE TABLE "log_entries" (
    "idx" BIGINT NOT NULL,
    "event_id" BIGINT NOT NULL,

    CONSTRAINT "log_entries_pkey" PRIMARY KEY ("idx")
);

-- CreateTable
CREATE TABLE "log_nodes" (
    "level" SMALLINT NOT NULL,
    "idx" BIGINT NOT NULL,
    "hash" BYTEA NOT NULL,

    CONSTRAINT "log_nodes_pkey" PRIMARY KEY ("level","idx")
);

-- CreateTable
CREATE TABLE "case_heads" (
    "case_id" UUID NOT NULL,
    "idx" BIGINT NOT NULL,
    "last_seq" INTEGER NOT NULL,
    "head_hash" TEXT NOT NULL,

    CONSTRAINT "case_heads_pkey" PRIMARY KEY ("case_id")
);

-- CreateTable
CREATE TABLE "heads_nodes" (
    "level" SMALLINT NOT NULL,
    "idx" BIGINT NOT NULL,
    "hash" BYTEA NOT NULL,

    CONSTRAINT "heads_nodes_pkey" PRIMARY KEY ("level","idx")
);

-- CreateTable
CREATE TABLE "tree_heads" (
    "tree_size" BIGINT NOT NULL,
    "last_event_id" BIGINT NOT NULL,
    "root_hash" TEXT NOT NULL,
    "heads_root" TEXT NOT NULL,
    "case_count" INTEGER NOT NULL,
    "timestamp" TEXT NOT NULL,
    "key_id" TEXT NOT NULL,
    "signature" TEXT NOT NULL,

    CONSTRAINT "tree_heads_pkey" PRIMARY KEY ("tree_size")
);

-- CreateIndex
CREATE UNIQUE INDEX "log_entries_event_id_key" ON "log_entries"("event_id");

-- CreateIndex
CREATE UNIQUE INDEX "case_heads_idx_key" ON "case_heads"("idx");

-- ---------------------------------------------------------------------------------------
-- Hand-written rules (see the init migration).
-- ---------------------------------------------------------------------------------------

ALTER TABLE "tree_heads" ADD CONSTRAINT "tree_heads_hex_check"
    CHECK ("root_hash" ~ '^[0-9a-f]{64}$' AND "heads_root" ~ '^[0-9a-f]{64}$' AND "key_id" ~ '^[0-9a-f]{64}$'
           AND "signature" ~ '^[0-9a-f]{128}$');
ALTER TABLE "log_nodes" ADD CONSTRAINT "log_nodes_hash_check" CHECK (octet_length("hash") = 32);
ALTER TABLE "heads_nodes" ADD CONSTRAINT "heads_nodes_hash_check" CHECK (octet_length("hash") = 32);

-- The log and its heads are append-only like the events (see the init migration for why
-- ENABLE ALWAYS). The case heads and their tree change in place: they are where each chain
-- stands now, and each signed tree head keeps what they were.
CREATE TRIGGER "log_entries_append_only" BEFORE UPDATE OR DELETE ON "log_entries"
    FOR EACH ROW EXECUTE FUNCTION "casetrail_forbid_change"();
CREATE TRIGGER "log_entries_no_truncate" BEFORE TRUNCATE ON "log_entries"
    FOR EACH STATEMENT EXECUTE FUNCTION "casetrail_forbid_change"();
CREATE TRIGGER "log_nodes_append_only" BEFORE UPDATE OR DELETE ON "log_nodes"
    FOR EACH ROW EXECUTE FUNCTION "casetrail_forbid_change"();
CREATE TRIGGER "log_nodes_no_truncate" BEFORE TRUNCATE ON "log_nodes"
    FOR EACH STATEMENT EXECUTE FUNCTION "casetrail_forbid_change"();
CREATE TRIGGER "tree_heads_append_only" BEFORE UPDATE OR DELETE ON "tree_heads"
    FOR EACH ROW EXECUTE FUNCTION "casetrail_forbid_change"();
CREATE TRIGGER "tree_heads_no_truncate" BEFORE TRUNCATE ON "tree_heads"
    FOR EACH STATEMENT EXECUTE FUNCTION "casetrail_forbid_change"();
ALTER TABLE "log_entries" ENABLE ALWAYS TRIGGER "log_entries_append_only";
ALTER TABLE "log_entries" ENABLE ALWAYS TRIGGER "log_entries_no_truncate";
ALTER TABLE "log_nodes" ENABLE ALWAYS TRIGGER "log_nodes_append_only";
ALTER TABLE "log_nodes" ENABLE ALWAYS TRIGGER "log_nodes_no_truncate";
ALTER TABLE "tree_heads" ENABLE ALWAYS TRIGGER "tree_heads_append_only";
ALTER TABLE "tree_heads" ENABLE ALWAYS TRIGGER "tree_heads_no_truncate";

REVOKE UPDATE, DELETE, TRUNCATE ON "log_entries", "log_nodes", "tree_heads" FROM PUBLIC;
