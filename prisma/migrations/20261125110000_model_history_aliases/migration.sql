-- CreateEnum: what happened to a model name
CREATE TYPE "ModelEventKind" AS ENUM ('activated', 'rolled_back', 'deleted', 'alias_set', 'alias_removed');

-- CreateTable: activations, rollbacks, deletions and alias changes per model name (no foreign keys to
-- versions, so a deleted version keeps its history)
CREATE TABLE "model_event" (
    "id" BIGSERIAL NOT NULL,
    "model_name" TEXT NOT NULL,
    "kind" "ModelEventKind" NOT NULL,
    "from_model_id" UUID,
    "from_version" INTEGER,
    "to_model_id" UUID,
    "to_version" INTEGER,
    "alias" TEXT,
    "actor" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT clock_timestamp(),

    CONSTRAINT "model_event_pkey" PRIMARY KEY ("id")
);

-- CreateIndex: a name's history, newest first
CREATE INDEX "model_event_model_name_created_at_idx" ON "model_event"("model_name", "created_at");

-- CreateTable: named pointers (champion, challenger…) at versions of a model name
CREATE TABLE "model_alias" (
    "model_name" TEXT NOT NULL,
    "alias" TEXT NOT NULL,
    "model_id" UUID NOT NULL,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,
    "updated_by" TEXT NOT NULL,

    CONSTRAINT "model_alias_pkey" PRIMARY KEY ("model_name","alias"),
    CONSTRAINT "model_alias_alias_check" CHECK ("alias" ~ '^[a-z][a-z0-9_-]{0,39}$')
);

-- CreateIndex: aliases of a version (dropped with it)
CREATE INDEX "model_alias_model_id_idx" ON "model_alias"("model_id");

-- AddForeignKey
ALTER TABLE "model_alias" ADD CONSTRAINT "model_alias_model_id_fkey" FOREIGN KEY ("model_id") REFERENCES "segmentation_model"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- Versions active before history existed: their activation is the first event of their name.
INSERT INTO "model_event" ("model_name", "kind", "to_model_id", "to_version", "actor", "created_at")
SELECT "name", 'activated', "id", "version", 'unknown (before history was recorded)', COALESCE("activated_at", "updated_at")
FROM "segmentation_model" WHERE "status" = 'active';
