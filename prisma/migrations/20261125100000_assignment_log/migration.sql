-- AlterTable: whether a logged assignment was beyond the persona's distance threshold, for customer histories
ALTER TABLE "assignment_log" ADD COLUMN     "unclassified" BOOLEAN NOT NULL DEFAULT false;
