-- CreateIndex
CREATE INDEX "customer_dataset_id_id_idx" ON "customer"("dataset_id", "id");
