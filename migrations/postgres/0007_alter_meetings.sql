-- Modify "meetings" table
ALTER TABLE "meetings" ADD COLUMN "seating_plan" jsonb NULL;
