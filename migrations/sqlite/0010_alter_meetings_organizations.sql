-- Disable the enforcement of foreign-keys constraints
PRAGMA foreign_keys = off;
-- Create "new_organizations" table
CREATE TABLE `new_organizations` (
  `id` integer NOT NULL PRIMARY KEY AUTOINCREMENT,
  `created_at` datetime NOT NULL,
  `updated_at` datetime NOT NULL,
  `name` text NOT NULL,
  `slug` text NOT NULL,
  `currency` text NOT NULL DEFAULT ('EUR'),
  `segment_regular_min` integer NOT NULL DEFAULT (2),
  `segment_loyal_min` integer NOT NULL DEFAULT (5),
  `segment_window_months` integer NOT NULL DEFAULT (12),
  `segment_lapse_months` integer NOT NULL DEFAULT (12)
);
-- Set sequence for "new_organizations" table
INSERT INTO sqlite_sequence (name, seq) VALUES ("new_organizations", 34359738368);
-- Copy rows from old table "organizations" to new temporary table "new_organizations"
INSERT INTO `new_organizations` (`id`, `created_at`, `updated_at`, `name`, `slug`) SELECT `id`, `created_at`, `updated_at`, `name`, `slug` FROM `organizations`;
-- Drop "organizations" table after copying rows
DROP TABLE `organizations`;
-- Rename temporary table "new_organizations" to "organizations"
ALTER TABLE `new_organizations` RENAME TO `organizations`;
-- Create index "organizations_slug_key" to table: "organizations"
CREATE UNIQUE INDEX `organizations_slug_key` ON `organizations` (`slug`);
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
  `budget_amount` integer NULL,
  `budget_currency` text NULL,
  `cancelled_at` datetime NULL,
  `cancellation_reason` text NULL,
  `capacity_includes_hosts` bool NOT NULL DEFAULT (true),
  `check_in_opens_before` integer NOT NULL DEFAULT (120),
  `check_in_closes_after` integer NOT NULL DEFAULT (120),
  `occurrence_start` datetime NULL,
  `overridden` bool NOT NULL DEFAULT (false),
  `seating_plan` json NULL,
  `sequence` integer NOT NULL DEFAULT (0),
  `organization_id` integer NOT NULL,
  `series_id` integer NULL,
  CONSTRAINT `meetings_organizations_organization` FOREIGN KEY (`organization_id`) REFERENCES `organizations` (`id`) ON DELETE NO ACTION,
  CONSTRAINT `meetings_series_series` FOREIGN KEY (`series_id`) REFERENCES `series` (`id`) ON DELETE SET NULL
);
-- Set sequence for "new_meetings" table
INSERT INTO sqlite_sequence (name, seq) VALUES ("new_meetings", 25769803776);
-- Copy rows from old table "meetings" to new temporary table "new_meetings"
-- Budgets become exact decimals, counted in ten-thousandths of their currency
-- (internal/money), so 12.5 becomes 125000.
INSERT INTO `new_meetings` (`id`, `created_at`, `updated_at`, `title`, `description`, `format`, `venue_name`, `venue_address`, `starts_at`, `ends_at`, `time_zone`, `capacity`, `visibility`, `status`, `budget_amount`, `budget_currency`, `cancelled_at`, `cancellation_reason`, `capacity_includes_hosts`, `check_in_opens_before`, `check_in_closes_after`, `occurrence_start`, `overridden`, `seating_plan`, `sequence`, `organization_id`, `series_id`) SELECT `id`, `created_at`, `updated_at`, `title`, `description`, `format`, `venue_name`, `venue_address`, `starts_at`, `ends_at`, `time_zone`, `capacity`, `visibility`, `status`, CAST(ROUND(`budget_amount` * 10000) AS INTEGER), `budget_currency`, `cancelled_at`, `cancellation_reason`, `capacity_includes_hosts`, `check_in_opens_before`, `check_in_closes_after`, `occurrence_start`, `overridden`, `seating_plan`, `sequence`, `organization_id`, `series_id` FROM `meetings`;
-- Drop "meetings" table after copying rows
DROP TABLE `meetings`;
-- Rename temporary table "new_meetings" to "meetings"
ALTER TABLE `new_meetings` RENAME TO `meetings`;
-- Create index "meeting_organization_id_starts_at" to table: "meetings"
CREATE INDEX `meeting_organization_id_starts_at` ON `meetings` (`organization_id`, `starts_at`);
-- Create index "meeting_series_id_occurrence_start" to table: "meetings"
CREATE UNIQUE INDEX `meeting_series_id_occurrence_start` ON `meetings` (`series_id`, `occurrence_start`);
-- Enable back the enforcement of foreign-keys constraints
PRAGMA foreign_keys = on;
