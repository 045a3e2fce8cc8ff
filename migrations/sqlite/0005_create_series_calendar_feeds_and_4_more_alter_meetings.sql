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
  `occurrence_start` datetime NULL,
  `overridden` bool NOT NULL DEFAULT (false),
  `sequence` integer NOT NULL DEFAULT (0),
  `organization_id` integer NOT NULL,
  `series_id` integer NULL,
  CONSTRAINT `meetings_organizations_organization` FOREIGN KEY (`organization_id`) REFERENCES `organizations` (`id`) ON DELETE NO ACTION,
  CONSTRAINT `meetings_series_series` FOREIGN KEY (`series_id`) REFERENCES `series` (`id`) ON DELETE SET NULL
);
-- Set sequence for "new_meetings" table
INSERT INTO sqlite_sequence (name, seq) VALUES ("new_meetings", 25769803776);
-- Copy rows from old table "meetings" to new temporary table "new_meetings"
INSERT INTO `new_meetings` (`id`, `created_at`, `updated_at`, `title`, `description`, `format`, `venue_name`, `venue_address`, `starts_at`, `ends_at`, `time_zone`, `capacity`, `visibility`, `status`, `budget_amount`, `budget_currency`, `cancelled_at`, `cancellation_reason`, `capacity_includes_hosts`, `check_in_opens_before`, `check_in_closes_after`, `organization_id`) SELECT `id`, `created_at`, `updated_at`, `title`, `description`, `format`, `venue_name`, `venue_address`, `starts_at`, `ends_at`, `time_zone`, `capacity`, `visibility`, `status`, `budget_amount`, `budget_currency`, `cancelled_at`, `cancellation_reason`, `capacity_includes_hosts`, `check_in_opens_before`, `check_in_closes_after`, `organization_id` FROM `meetings`;
-- Drop "meetings" table after copying rows
DROP TABLE `meetings`;
-- Rename temporary table "new_meetings" to "meetings"
ALTER TABLE `new_meetings` RENAME TO `meetings`;
-- Create index "meeting_organization_id_starts_at" to table: "meetings"
CREATE INDEX `meeting_organization_id_starts_at` ON `meetings` (`organization_id`, `starts_at`);
-- Create index "meeting_series_id_occurrence_start" to table: "meetings"
CREATE UNIQUE INDEX `meeting_series_id_occurrence_start` ON `meetings` (`series_id`, `occurrence_start`);
-- Create "calendar_feeds" table
CREATE TABLE `calendar_feeds` (
  `id` integer NOT NULL PRIMARY KEY AUTOINCREMENT,
  `created_at` datetime NOT NULL,
  `updated_at` datetime NOT NULL,
  `role` text NOT NULL,
  `kind` text NOT NULL,
  `prefix` text NOT NULL,
  `secret_hash` text NOT NULL,
  `revoked_at` datetime NULL,
  `organization_id` integer NOT NULL,
  `account_id` integer NOT NULL,
  `meeting_id` integer NULL,
  `series_id` integer NULL,
  `person_id` integer NULL,
  CONSTRAINT `calendar_feeds_organizations_organization` FOREIGN KEY (`organization_id`) REFERENCES `organizations` (`id`) ON DELETE NO ACTION,
  CONSTRAINT `calendar_feeds_accounts_account` FOREIGN KEY (`account_id`) REFERENCES `accounts` (`id`) ON DELETE NO ACTION,
  CONSTRAINT `calendar_feeds_meetings_meeting` FOREIGN KEY (`meeting_id`) REFERENCES `meetings` (`id`) ON DELETE SET NULL,
  CONSTRAINT `calendar_feeds_series_series` FOREIGN KEY (`series_id`) REFERENCES `series` (`id`) ON DELETE SET NULL,
  CONSTRAINT `calendar_feeds_persons_person` FOREIGN KEY (`person_id`) REFERENCES `persons` (`id`) ON DELETE SET NULL
);
-- Set sequence for "calendar_feeds" table
INSERT INTO sqlite_sequence (name, seq) VALUES ("calendar_feeds", 68719476736);
-- Create index "calendar_feeds_secret_hash_key" to table: "calendar_feeds"
CREATE UNIQUE INDEX `calendar_feeds_secret_hash_key` ON `calendar_feeds` (`secret_hash`);
-- Create "series" table
CREATE TABLE `series` (
  `id` integer NOT NULL PRIMARY KEY AUTOINCREMENT,
  `created_at` datetime NOT NULL,
  `updated_at` datetime NOT NULL,
  `title` text NOT NULL,
  `description` text NULL,
  `format` text NOT NULL DEFAULT ('OTHER'),
  `venue_name` text NULL,
  `venue_address` text NULL,
  `capacity` integer NULL,
  `visibility` text NOT NULL DEFAULT ('OPEN'),
  `rrule` text NOT NULL,
  `starts_at` text NOT NULL,
  `time_zone` text NOT NULL,
  `duration_minutes` integer NOT NULL,
  `exdates` json NULL,
  `status` text NOT NULL DEFAULT ('ACTIVE'),
  `cancelled_at` datetime NULL,
  `materialized_until` datetime NULL,
  `sequence` integer NOT NULL DEFAULT (0),
  `organization_id` integer NOT NULL,
  `split_from_id` integer NULL,
  CONSTRAINT `series_organizations_organization` FOREIGN KEY (`organization_id`) REFERENCES `organizations` (`id`) ON DELETE NO ACTION,
  CONSTRAINT `series_series_continuations` FOREIGN KEY (`split_from_id`) REFERENCES `series` (`id`) ON DELETE SET NULL
);
-- Set sequence for "series" table
INSERT INTO sqlite_sequence (name, seq) VALUES ("series", 73014444032);
-- Create "series_answers" table
CREATE TABLE `series_answers` (
  `id` integer NOT NULL PRIMARY KEY AUTOINCREMENT,
  `created_at` datetime NOT NULL,
  `updated_at` datetime NOT NULL,
  `answer` text NOT NULL,
  `responded_at` datetime NOT NULL,
  `organization_id` integer NOT NULL,
  `series_id` integer NOT NULL,
  `person_id` integer NOT NULL,
  CONSTRAINT `series_answers_organizations_organization` FOREIGN KEY (`organization_id`) REFERENCES `organizations` (`id`) ON DELETE NO ACTION,
  CONSTRAINT `series_answers_series_series` FOREIGN KEY (`series_id`) REFERENCES `series` (`id`) ON DELETE NO ACTION,
  CONSTRAINT `series_answers_persons_person` FOREIGN KEY (`person_id`) REFERENCES `persons` (`id`) ON DELETE NO ACTION
);
-- Set sequence for "series_answers" table
INSERT INTO sqlite_sequence (name, seq) VALUES ("series_answers", 77309411328);
-- Create index "seriesanswer_series_id_person_id" to table: "series_answers"
CREATE UNIQUE INDEX `seriesanswer_series_id_person_id` ON `series_answers` (`series_id`, `person_id`);
-- Create "series_objectives" table
CREATE TABLE `series_objectives` (
  `series_id` integer NOT NULL,
  `objective_id` integer NOT NULL,
  PRIMARY KEY (`series_id`, `objective_id`),
  CONSTRAINT `series_objectives_series_id` FOREIGN KEY (`series_id`) REFERENCES `series` (`id`) ON DELETE CASCADE,
  CONSTRAINT `series_objectives_objective_id` FOREIGN KEY (`objective_id`) REFERENCES `objectives` (`id`) ON DELETE CASCADE
);
-- Create "series_invitees" table
CREATE TABLE `series_invitees` (
  `series_id` integer NOT NULL,
  `person_id` integer NOT NULL,
  PRIMARY KEY (`series_id`, `person_id`),
  CONSTRAINT `series_invitees_series_id` FOREIGN KEY (`series_id`) REFERENCES `series` (`id`) ON DELETE CASCADE,
  CONSTRAINT `series_invitees_person_id` FOREIGN KEY (`person_id`) REFERENCES `persons` (`id`) ON DELETE CASCADE
);
-- Create "series_invitee_communities" table
CREATE TABLE `series_invitee_communities` (
  `series_id` integer NOT NULL,
  `community_id` integer NOT NULL,
  PRIMARY KEY (`series_id`, `community_id`),
  CONSTRAINT `series_invitee_communities_series_id` FOREIGN KEY (`series_id`) REFERENCES `series` (`id`) ON DELETE CASCADE,
  CONSTRAINT `series_invitee_communities_community_id` FOREIGN KEY (`community_id`) REFERENCES `communities` (`id`) ON DELETE CASCADE
);
-- Enable back the enforcement of foreign-keys constraints
PRAGMA foreign_keys = on;
