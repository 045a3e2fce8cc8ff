-- Modify "meetings" table
ALTER TABLE "meetings" ADD COLUMN "check_in_opens_before" bigint NOT NULL DEFAULT 120, ADD COLUMN "check_in_closes_after" bigint NOT NULL DEFAULT 120;
