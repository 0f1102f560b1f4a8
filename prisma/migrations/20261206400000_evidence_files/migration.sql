-- Evidence files (docs/design.md §10). The bytes live in the file store, named by their
-- SHA-256; the database knows which objects exist, which case holds which file, and the
-- files' personal data (name, description), kept apart from the trail like the item's.

-- One row per stored object. Uploads upsert it (and lock it) before they place the object
-- and store their command; the sweeper and erasure lock it before they delete an object, so
-- neither removes bytes that a command about to be stored refers to.
CREATE TABLE "file_objects" (
    "sha256" TEXT NOT NULL,
    "size" BIGINT NOT NULL,
    "media_type" TEXT NOT NULL,
    "stored_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "file_objects_pkey" PRIMARY KEY ("sha256")
);

-- The files of each case: the projection of its case.file_attached events, written in the
-- transaction that appends them. erased_at is set when erasure removed the case's claim on
-- the bytes (they are deleted when no other case holds them).
CREATE TABLE "case_files" (
    "id" UUID NOT NULL,
    "case_id" UUID NOT NULL,
    "seq" INTEGER NOT NULL,
    "command_id" UUID NOT NULL,
    "sha256" TEXT NOT NULL,
    "size" BIGINT NOT NULL,
    "media_type" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "attached_by" UUID NOT NULL,
    "attached_at" TIMESTAMPTZ(3) NOT NULL,
    "erased_at" TIMESTAMPTZ(3),

    CONSTRAINT "case_files_pkey" PRIMARY KEY ("id")
);

-- Personal data of a file: deleted by erasure.
CREATE TABLE "case_file_personal_data" (
    "file_id" UUID NOT NULL,
    "case_id" UUID NOT NULL,
    "name" TEXT,
    "description" TEXT,

    CONSTRAINT "case_file_personal_data_pkey" PRIMARY KEY ("file_id")
);

CREATE INDEX "case_files_case_id_seq_idx" ON "case_files"("case_id", "seq");
CREATE INDEX "case_files_sha256_idx" ON "case_files"("sha256");
CREATE INDEX "case_file_personal_data_case_id_idx" ON "case_file_personal_data"("case_id");

-- Hand-written rules (see the init migration): values mirror src/domain/files.ts.
ALTER TABLE "file_objects" ADD CONSTRAINT "file_objects_sha256_check" CHECK ("sha256" ~ '^[0-9a-f]{64}$');
ALTER TABLE "file_objects" ADD CONSTRAINT "file_objects_size_check" CHECK ("size" >= 0);
ALTER TABLE "case_files" ADD CONSTRAINT "case_files_sha256_check" CHECK ("sha256" ~ '^[0-9a-f]{64}$');
ALTER TABLE "case_files" ADD CONSTRAINT "case_files_size_check" CHECK ("size" >= 0);
ALTER TABLE "case_files" ADD CONSTRAINT "case_files_kind_check"
    CHECK ("kind" IN ('screenshot', 'video', 'archive', 'document', 'decision', 'other'));
