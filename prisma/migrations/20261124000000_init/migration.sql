-- CreateEnum
CREATE TYPE "ModelStatus" AS ENUM ('candidate', 'active', 'inactive');

-- CreateEnum
CREATE TYPE "ApiKeyScope" AS ENUM ('assign', 'read', 'admin');

-- CreateTable
CREATE TABLE "dataset" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "name" TEXT NOT NULL,
    "id_column" TEXT,
    "columns" JSONB NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "dataset_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "customer" (
    "id" BIGSERIAL NOT NULL,
    "dataset_id" UUID NOT NULL,
    "external_id" TEXT NOT NULL,
    "attributes" JSONB NOT NULL,

    CONSTRAINT "customer_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "product" (
    "id" BIGSERIAL NOT NULL,
    "dataset_id" UUID NOT NULL,
    "external_id" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "category" TEXT,
    "price" DOUBLE PRECISION,
    "attributes" JSONB,

    CONSTRAINT "product_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "interaction" (
    "id" BIGSERIAL NOT NULL,
    "dataset_id" UUID NOT NULL,
    "customer_id" BIGINT NOT NULL,
    "product_id" BIGINT NOT NULL,
    "quantity" DOUBLE PRECISION NOT NULL DEFAULT 1,
    "amount" DOUBLE PRECISION,
    "occurred_at" TIMESTAMPTZ(3),

    CONSTRAINT "interaction_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "segmentation_model" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "name" TEXT NOT NULL,
    "version" INTEGER NOT NULL,
    "status" "ModelStatus" NOT NULL DEFAULT 'candidate',
    "algorithm" TEXT NOT NULL,
    "parameters" JSONB NOT NULL,
    "feature_schema" JSONB NOT NULL,
    "centroids" BYTEA NOT NULL,
    "metrics" JSONB NOT NULL,
    "dataset_id" UUID,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,
    "activated_at" TIMESTAMPTZ(3),

    CONSTRAINT "segmentation_model_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "persona" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "model_id" UUID NOT NULL,
    "index" INTEGER NOT NULL,
    "key" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "description" TEXT NOT NULL,
    "traits" JSONB NOT NULL,
    "size" INTEGER NOT NULL,
    "share" DOUBLE PRECISION NOT NULL,
    "centroid" DOUBLE PRECISION[],

    CONSTRAINT "persona_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "persona_recommendation" (
    "id" BIGSERIAL NOT NULL,
    "persona_id" UUID NOT NULL,
    "product_id" BIGINT NOT NULL,
    "rank" INTEGER NOT NULL,
    "support" INTEGER NOT NULL,
    "persona_rate" DOUBLE PRECISION NOT NULL,
    "overall_rate" DOUBLE PRECISION NOT NULL,
    "lift" DOUBLE PRECISION NOT NULL,
    "buyers" INTEGER NOT NULL,

    CONSTRAINT "persona_recommendation_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "assignment_log" (
    "id" BIGSERIAL NOT NULL,
    "model_id" UUID NOT NULL,
    "persona_id" UUID NOT NULL,
    "external_id" TEXT,
    "distance" DOUBLE PRECISION NOT NULL,
    "confidence" DOUBLE PRECISION,
    "assigned_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "assignment_log_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "api_key" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "name" TEXT NOT NULL,
    "prefix" TEXT NOT NULL,
    "hash" TEXT NOT NULL,
    "scopes" "ApiKeyScope"[],
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "last_used_at" TIMESTAMPTZ(3),
    "revoked_at" TIMESTAMPTZ(3),

    CONSTRAINT "api_key_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "dataset_created_at_idx" ON "dataset"("created_at");

-- CreateIndex
CREATE UNIQUE INDEX "customer_dataset_id_external_id_key" ON "customer"("dataset_id", "external_id");

-- CreateIndex
CREATE INDEX "product_dataset_id_category_idx" ON "product"("dataset_id", "category");

-- CreateIndex
CREATE UNIQUE INDEX "product_dataset_id_external_id_key" ON "product"("dataset_id", "external_id");

-- CreateIndex
CREATE INDEX "interaction_dataset_id_idx" ON "interaction"("dataset_id");

-- CreateIndex
CREATE INDEX "interaction_customer_id_idx" ON "interaction"("customer_id");

-- CreateIndex
CREATE INDEX "interaction_product_id_idx" ON "interaction"("product_id");

-- CreateIndex
CREATE INDEX "segmentation_model_status_activated_at_idx" ON "segmentation_model"("status", "activated_at");

-- CreateIndex
CREATE INDEX "segmentation_model_dataset_id_idx" ON "segmentation_model"("dataset_id");

-- CreateIndex
CREATE UNIQUE INDEX "segmentation_model_name_version_key" ON "segmentation_model"("name", "version");

-- CreateIndex
CREATE UNIQUE INDEX "persona_model_id_index_key" ON "persona"("model_id", "index");

-- CreateIndex
CREATE UNIQUE INDEX "persona_model_id_key_key" ON "persona"("model_id", "key");

-- CreateIndex
CREATE UNIQUE INDEX "persona_model_id_name_key" ON "persona"("model_id", "name");

-- CreateIndex
CREATE INDEX "persona_recommendation_persona_id_rank_idx" ON "persona_recommendation"("persona_id", "rank");

-- CreateIndex
CREATE INDEX "persona_recommendation_product_id_idx" ON "persona_recommendation"("product_id");

-- CreateIndex
CREATE UNIQUE INDEX "persona_recommendation_persona_id_product_id_key" ON "persona_recommendation"("persona_id", "product_id");

-- CreateIndex
CREATE INDEX "assignment_log_external_id_assigned_at_idx" ON "assignment_log"("external_id", "assigned_at");

-- CreateIndex
CREATE INDEX "assignment_log_model_id_assigned_at_idx" ON "assignment_log"("model_id", "assigned_at");

-- CreateIndex
CREATE INDEX "assignment_log_persona_id_idx" ON "assignment_log"("persona_id");

-- CreateIndex
CREATE UNIQUE INDEX "api_key_hash_key" ON "api_key"("hash");

-- AddForeignKey
ALTER TABLE "customer" ADD CONSTRAINT "customer_dataset_id_fkey" FOREIGN KEY ("dataset_id") REFERENCES "dataset"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "product" ADD CONSTRAINT "product_dataset_id_fkey" FOREIGN KEY ("dataset_id") REFERENCES "dataset"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "interaction" ADD CONSTRAINT "interaction_dataset_id_fkey" FOREIGN KEY ("dataset_id") REFERENCES "dataset"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "interaction" ADD CONSTRAINT "interaction_customer_id_fkey" FOREIGN KEY ("customer_id") REFERENCES "customer"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "interaction" ADD CONSTRAINT "interaction_product_id_fkey" FOREIGN KEY ("product_id") REFERENCES "product"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "segmentation_model" ADD CONSTRAINT "segmentation_model_dataset_id_fkey" FOREIGN KEY ("dataset_id") REFERENCES "dataset"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "persona" ADD CONSTRAINT "persona_model_id_fkey" FOREIGN KEY ("model_id") REFERENCES "segmentation_model"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "persona_recommendation" ADD CONSTRAINT "persona_recommendation_persona_id_fkey" FOREIGN KEY ("persona_id") REFERENCES "persona"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "persona_recommendation" ADD CONSTRAINT "persona_recommendation_product_id_fkey" FOREIGN KEY ("product_id") REFERENCES "product"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "assignment_log" ADD CONSTRAINT "assignment_log_model_id_fkey" FOREIGN KEY ("model_id") REFERENCES "segmentation_model"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "assignment_log" ADD CONSTRAINT "assignment_log_persona_id_fkey" FOREIGN KEY ("persona_id") REFERENCES "persona"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- Not expressible in schema.prisma: at most one active version per model name.
CREATE UNIQUE INDEX "segmentation_model_one_active_per_name" ON "segmentation_model"("name") WHERE "status" = 'active';
