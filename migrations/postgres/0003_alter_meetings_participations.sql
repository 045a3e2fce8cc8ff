-- Modify "meetings" table
ALTER TABLE "meetings" ADD COLUMN "capacity_includes_hosts" boolean NOT NULL DEFAULT true;
-- Modify "participations" table
ALTER TABLE "participations" ADD COLUMN "waitlist_position" bigint NULL, ADD COLUMN "accepted_at" timestamptz NULL;
