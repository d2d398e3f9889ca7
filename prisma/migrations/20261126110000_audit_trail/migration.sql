-- CreateTable: the audit trail of admin actions, append-only (see the trigger below). Each entry's
-- hash covers the previous entry's hash, so a changed, removed or inserted entry breaks the chain.
-- No customer attributes: the change itself is kept only as its SHA-256 digest.
CREATE TABLE "audit_entry" (
    "id" BIGSERIAL NOT NULL,
    "occurred_at" TIMESTAMPTZ(3) NOT NULL,
    "actor" TEXT NOT NULL,
    "key_id" UUID,
    "request_id" TEXT,
    "action" TEXT NOT NULL,
    "method" TEXT,
    "route" TEXT,
    "target_type" TEXT,
    "target_id" TEXT,
    "status" INTEGER NOT NULL,
    "digest" TEXT NOT NULL,
    "details" JSONB NOT NULL DEFAULT '{}',
    "previous_hash" TEXT,
    "hash" TEXT NOT NULL,

    CONSTRAINT "audit_entry_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "audit_entry_digest_check" CHECK ("digest" ~ '^[0-9a-f]{64}$'),
    CONSTRAINT "audit_entry_hash_check" CHECK ("hash" ~ '^[0-9a-f]{64}$' AND ("previous_hash" IS NULL OR "previous_hash" ~ '^[0-9a-f]{64}$'))
);

-- CreateIndex: filters of GET /v1/audit, each newest first
CREATE INDEX "audit_entry_occurred_at_idx" ON "audit_entry"("occurred_at");
CREATE INDEX "audit_entry_action_id_idx" ON "audit_entry"("action", "id");
CREATE INDEX "audit_entry_actor_id_idx" ON "audit_entry"("actor", "id");
CREATE INDEX "audit_entry_target_type_target_id_id_idx" ON "audit_entry"("target_type", "target_id", "id");

-- Append-only, whoever connects: updates, deletes and truncation raise (a superuser could still drop
-- the trigger; the hash chain then shows what changed).
CREATE FUNCTION "audit_entry_append_only"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit_entry is append-only: % is not allowed', TG_OP USING ERRCODE = 'insufficient_privilege';
END;
$$;

CREATE TRIGGER "audit_entry_no_update_delete" BEFORE UPDATE OR DELETE ON "audit_entry"
    FOR EACH ROW EXECUTE FUNCTION "audit_entry_append_only"();
CREATE TRIGGER "audit_entry_no_truncate" BEFORE TRUNCATE ON "audit_entry"
    FOR EACH STATEMENT EXECUTE FUNCTION "audit_entry_append_only"();
