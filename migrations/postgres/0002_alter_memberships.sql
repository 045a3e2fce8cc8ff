-- Modify "memberships" table
ALTER TABLE "memberships" ALTER COLUMN "account_id" DROP NOT NULL, ADD COLUMN "status" character varying NOT NULL DEFAULT 'ACTIVE', ADD COLUMN "invited_email" character varying NULL, ADD COLUMN "invited_name" character varying NULL, ADD COLUMN "invitation_code_hash" character varying NULL, ADD COLUMN "invitation_expires_at" timestamptz NULL, ADD COLUMN "responded_at" timestamptz NULL;
-- Create index "membership_invited_email" to table: "memberships"
CREATE INDEX "membership_invited_email" ON "memberships" ("invited_email");
-- Create index "membership_organization_id_invited_email" to table: "memberships"
CREATE UNIQUE INDEX "membership_organization_id_invited_email" ON "memberships" ("organization_id", "invited_email");
-- Create index "memberships_invitation_code_hash_key" to table: "memberships"
CREATE UNIQUE INDEX "memberships_invitation_code_hash_key" ON "memberships" ("invitation_code_hash");
