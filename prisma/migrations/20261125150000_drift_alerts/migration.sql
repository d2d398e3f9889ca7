-- CreateTable: one drift alert per model and UTC day, claimed by the first replica that finds the drift (model.drift_detected)
CREATE TABLE "drift_alert" (
    "model_id" UUID NOT NULL,
    "day" DATE NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "drift_alert_pkey" PRIMARY KEY ("model_id","day")
);

-- AddForeignKey
ALTER TABLE "drift_alert" ADD CONSTRAINT "drift_alert_model_id_fkey" FOREIGN KEY ("model_id") REFERENCES "segmentation_model"("id") ON DELETE CASCADE ON UPDATE CASCADE;
