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
    "activation_policy" TEXT NOT NULL DEFAULT 'candidate',
    "activation_note" TEXT,
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

-- CreateTable: per model name, when to retrain and on what (a dataset, or the newest dataset of a name)
CREATE TABLE "training_schedule" (
    "model_name" TEXT NOT NULL,
    "cron" TEXT NOT NULL,
    "dataset_id" UUID,
    "dataset_name" TEXT,
    "training" JSONB NOT NULL,
    "activation_policy" TEXT NOT NULL,
    "created_by" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "next_run_at" TIMESTAMPTZ(3) NOT NULL,
    "last_run_at" TIMESTAMPTZ(3),
    "last_job_id" UUID,

    CONSTRAINT "training_schedule_pkey" PRIMARY KEY ("model_name"),
    CONSTRAINT "training_schedule_source_check" CHECK (("dataset_id" IS NULL) <> ("dataset_name" IS NULL)),
    CONSTRAINT "training_schedule_policy_check" CHECK ("activation_policy" IN ('candidate', 'when-not-worse'))
);

CREATE INDEX "training_schedule_next_run_at_idx" ON "training_schedule"("next_run_at");
