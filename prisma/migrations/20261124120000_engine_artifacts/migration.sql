-- AlterTable
ALTER TABLE "persona" ADD COLUMN     "quality" JSONB NOT NULL DEFAULT '{}';

-- AlterTable
ALTER TABLE "segmentation_model" ADD COLUMN     "artifacts" JSONB NOT NULL DEFAULT '{}';
