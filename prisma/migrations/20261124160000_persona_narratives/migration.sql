-- AlterTable
ALTER TABLE "dataset" ADD COLUMN     "tenure_column" TEXT,
ADD COLUMN     "tenure_unit" TEXT,
ADD COLUMN     "value_column" TEXT;

-- AlterTable
ALTER TABLE "persona" ADD COLUMN     "drivers" JSONB NOT NULL DEFAULT '{}',
ADD COLUMN     "edits" JSONB NOT NULL DEFAULT '{}',
ADD COLUMN     "profile" JSONB NOT NULL DEFAULT '{}',
ADD COLUMN     "strategies" JSONB NOT NULL DEFAULT '[]',
ADD COLUMN     "tagline" TEXT NOT NULL DEFAULT '';
