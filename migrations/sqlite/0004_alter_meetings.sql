-- Disable the enforcement of foreign-keys constraints
PRAGMA foreign_keys = off;
-- Create "new_meetings" table
CREATE TABLE `new_meetings` (
  `id` integer NOT NULL PRIMARY KEY AUTOINCREMENT,
  `created_at` datetime NOT NULL,
  `updated_at` datetime NOT NULL,
  `title` text NOT NULL,
  `description` text NULL,
  `format` text NOT NULL DEFAULT ('OTHER'),
  `venue_name` text NULL,
  `venue_address` text NULL,
  `starts_at` datetime NOT NULL,
  `ends_at` datetime NOT NULL,
  `time_zone` text NOT NULL,
  `capacity` integer NULL,
  `visibility` text NOT NULL DEFAULT ('OPEN'),
  `status` text NOT NULL DEFAULT ('DRAFT'),
  `budget_amount` real NULL,
  `budget_currency` text NULL,
  `cancelled_at` datetime NULL,
  `cancellation_reason` text NULL,
  `capacity_includes_hosts` bool NOT NULL DEFAULT (true),
  `check_in_opens_before` integer NOT NULL DEFAULT (120),
  `check_in_closes_after` integer NOT NULL DEFAULT (120),
  `organization_id` integer NOT NULL,
  CONSTRAINT `meetings_organizations_organization` FOREIGN KEY (`organization_id`) REFERENCES `organizations` (`id`) ON DELETE NO ACTION
);
-- Set sequence for "new_meetings" table
INSERT INTO sqlite_sequence (name, seq) VALUES ("new_meetings", 25769803776);
-- Copy rows from old table "meetings" to new temporary table "new_meetings"
INSERT INTO `new_meetings` (`id`, `created_at`, `updated_at`, `title`, `description`, `format`, `venue_name`, `venue_address`, `starts_at`, `ends_at`, `time_zone`, `capacity`, `visibility`, `status`, `budget_amount`, `budget_currency`, `cancelled_at`, `cancellation_reason`, `capacity_includes_hosts`, `organization_id`) SELECT `id`, `created_at`, `updated_at`, `title`, `description`, `format`, `venue_name`, `venue_address`, `starts_at`, `ends_at`, `time_zone`, `capacity`, `visibility`, `status`, `budget_amount`, `budget_currency`, `cancelled_at`, `cancellation_reason`, `capacity_includes_hosts`, `organization_id` FROM `meetings`;
-- Drop "meetings" table after copying rows
DROP TABLE `meetings`;
-- Rename temporary table "new_meetings" to "meetings"
ALTER TABLE `new_meetings` RENAME TO `meetings`;
-- Create index "meeting_organization_id_starts_at" to table: "meetings"
CREATE INDEX `meeting_organization_id_starts_at` ON `meetings` (`organization_id`, `starts_at`);
-- Enable back the enforcement of foreign-keys constraints
PRAGMA foreign_keys = on;
