-- Add column "seating_plan" to table: "meetings"
ALTER TABLE `meetings` ADD COLUMN `seating_plan` json NULL;
