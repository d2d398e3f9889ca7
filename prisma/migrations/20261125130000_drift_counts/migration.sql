-- CreateTable: serving counts per model, hour, feature and bin, for drift reports (feature '' holds persona counts)
CREATE TABLE "drift_count" (
    "model_id" UUID NOT NULL,
    "hour" TIMESTAMPTZ(3) NOT NULL,
    "feature" TEXT NOT NULL,
    "bin" INTEGER NOT NULL,
    "count" BIGINT NOT NULL,

    CONSTRAINT "drift_count_pkey" PRIMARY KEY ("model_id","hour","feature","bin")
);

-- AddForeignKey
ALTER TABLE "drift_count" ADD CONSTRAINT "drift_count_model_id_fkey" FOREIGN KEY ("model_id") REFERENCES "segmentation_model"("id") ON DELETE CASCADE ON UPDATE CASCADE;
