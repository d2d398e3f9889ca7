-- Protected attributes and the fairness audit.
-- dataset.protected_attributes: columns declared protected at upload (excluded from default features, audited).
-- segmentation_model.fairness: the audit computed at training (GET /v1/models/:id/fairness); null when not audited.
-- model_event.reason: why a change was made against a check (a strict-mode activation whose audit did not pass).
ALTER TABLE "dataset" ADD COLUMN "protected_attributes" TEXT[] DEFAULT ARRAY[]::TEXT[];
ALTER TABLE "segmentation_model" ADD COLUMN "fairness" JSONB;
ALTER TABLE "model_event" ADD COLUMN "reason" TEXT;
