-- Every key that has signed the audit trail, from when, and its introduction by the key
-- before it (docs/audit-format.md, key rotation). Served without a token at
-- /.well-known/casetrail-keys.json and put in every bundle. A key is valid until the next
-- one's valid_from. Append-only like the trail it signs.

-- CreateTable
CREATE TABLE "signing_keys" (
    "key_id" TEXT NOT NULL,
    "raw" TEXT NOT NULL,
    "valid_from" TEXT NOT NULL,
    "introduced_by" TEXT,
    "introduction" TEXT,

    CONSTRAINT "signing_keys_pkey" PRIMARY KEY ("key_id")
);

-- ---------------------------------------------------------------------------------------
-- Hand-written rules (see the init migration).
-- ---------------------------------------------------------------------------------------

ALTER TABLE "signing_keys" ADD CONSTRAINT "signing_keys_hex_check"
    CHECK ("key_id" ~ '^[0-9a-f]{64}$' AND "raw" ~ '^[0-9a-f]{64}$'
           AND ("introduced_by" IS NULL OR "introduced_by" ~ '^[0-9a-f]{64}$')
           AND ("introduction" IS NULL OR "introduction" ~ '^[0-9a-f]{128}$'));
ALTER TABLE "signing_keys" ADD CONSTRAINT "signing_keys_introduction_check"
    CHECK (("introduced_by" IS NULL) = ("introduction" IS NULL));

CREATE TRIGGER "signing_keys_append_only" BEFORE UPDATE OR DELETE ON "signing_keys"
    FOR EACH ROW EXECUTE FUNCTION "casetrail_forbid_change"();
CREATE TRIGGER "signing_keys_no_truncate" BEFORE TRUNCATE ON "signing_keys"
    FOR EACH STATEMENT EXECUTE FUNCTION "casetrail_forbid_change"();
ALTER TABLE "signing_keys" ENABLE ALWAYS TRIGGER "signing_keys_append_only";
ALTER TABLE "signing_keys" ENABLE ALWAYS TRIGGER "signing_keys_no_truncate";

REVOKE UPDATE, DELETE, TRUNCATE ON "signing_keys" FROM PUBLIC;
