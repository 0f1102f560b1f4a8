-- RFC 3161 time stamps of signed tree heads (CASETRAIL_TSA_URL; docs/audit-format.md §7):
-- the authority's answer kept whole, put in bundles, checked offline. Append-only.

-- CreateTable
CREATE TABLE "tree_head_anchors" (
    "tree_size" BIGINT NOT NULL,
    "response" BYTEA NOT NULL,

    CONSTRAINT "tree_head_anchors_pkey" PRIMARY KEY ("tree_size")
);

-- ---------------------------------------------------------------------------------------
-- Hand-written rules (see the init migration).
-- ---------------------------------------------------------------------------------------

CREATE TRIGGER "tree_head_anchors_append_only" BEFORE UPDATE OR DELETE ON "tree_head_anchors"
    FOR EACH ROW EXECUTE FUNCTION "casetrail_forbid_change"();
CREATE TRIGGER "tree_head_anchors_no_truncate" BEFORE TRUNCATE ON "tree_head_anchors"
    FOR EACH STATEMENT EXECUTE FUNCTION "casetrail_forbid_change"();
ALTER TABLE "tree_head_anchors" ENABLE ALWAYS TRIGGER "tree_head_anchors_append_only";
ALTER TABLE "tree_head_anchors" ENABLE ALWAYS TRIGGER "tree_head_anchors_no_truncate";

REVOKE UPDATE, DELETE, TRUNCATE ON "tree_head_anchors" FROM PUBLIC;
