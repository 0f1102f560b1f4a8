-- Personal values of format 2 events (docs/audit-format.md, "Personal data and keyed
-- digests"): every URL and free text an event would have held is kept here, and the event
-- holds the reference "pd:" + HMAC-SHA256(key, JCS({salt, value})) instead. Erasure
-- deletes the rows: the salt goes with the value, so the reference left in the trail
-- confirms no guess, and every chain stays valid.
CREATE TABLE "case_personal_values" (
    "case_id" UUID NOT NULL,
    "digest" TEXT NOT NULL,
    "field" TEXT NOT NULL,
    "value" TEXT NOT NULL,
    "salt" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "case_personal_values_pkey" PRIMARY KEY ("case_id", "digest")
);
