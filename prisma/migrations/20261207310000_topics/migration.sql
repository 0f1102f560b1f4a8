-- Topics (docs/design.md §11): campaigns and incidents that cases are tagged with.
CREATE TABLE "topics" (
  "code" TEXT NOT NULL,
  "name" TEXT NOT NULL,
  "created_by" UUID NOT NULL,
  "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
  CONSTRAINT "topics_pkey" PRIMARY KEY ("code")
);

-- The codes of a case's topics: the fold of its case.topics_changed events.
ALTER TABLE "cases" ADD COLUMN "topics" TEXT[] NOT NULL DEFAULT '{}';
CREATE INDEX "cases_topics_idx" ON "cases" USING GIN ("topics");
