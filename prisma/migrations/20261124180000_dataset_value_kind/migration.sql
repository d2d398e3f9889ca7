-- AlterTable: what a dataset's value column measures (annual, monthly, lifetime, balance)
ALTER TABLE "dataset" ADD COLUMN     "value_kind" TEXT;
