-- The data-quality report of each dataset (GET /v1/datasets/:id/profile), computed at upload.
-- Datasets uploaded before this migration have none; theirs is computed on first request and stored.
ALTER TABLE "dataset" ADD COLUMN "quality" JSONB;
