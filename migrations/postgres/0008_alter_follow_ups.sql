-- Modify "follow_ups" table
ALTER TABLE "follow_ups" ADD COLUMN "cancelled_at" timestamptz NULL, ADD COLUMN "status_changed_at" timestamptz NULL, ADD COLUMN "reopened_count" bigint NOT NULL DEFAULT 0, ADD COLUMN "reopened_at" timestamptz NULL;
