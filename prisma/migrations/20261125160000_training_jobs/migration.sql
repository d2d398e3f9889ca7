-- CreateEnum
CREATE TYPE "JobStatus" AS ENUM ('queued', 'running', 'completed', 'failed', 'cancelled');

-- CreateTable: background trainings (the queue itself is pg-boss's, in schema pgboss; this is what the API reports)
CREATE TABLE "training_job" (
    "id" UUID NOT NULL,
    "kind" TEXT NOT NULL,
    "request" JSONB NOT NULL,
    "status" "JobStatus" NOT NULL DEFAULT 'queued',
    "phase" TEXT,
    "progress" JSONB,
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "cancel_requested" BOOLEAN NOT NULL DEFAULT false,
    "model_id" UUID,
    "error" JSONB,
    "created_by" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "started_at" TIMESTAMPTZ(3),
    "finished_at" TIMESTAMPTZ(3),

    CONSTRAINT "training_job_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "training_job_model_id_key" ON "training_job"("model_id");
CREATE INDEX "training_job_created_at_idx" ON "training_job"("created_at");

-- AddForeignKey
ALTER TABLE "training_job" ADD CONSTRAINT "training_job_model_id_fkey" FOREIGN KEY ("model_id") REFERENCES "segmentation_model"("id") ON DELETE SET NULL ON UPDATE CASCADE;
