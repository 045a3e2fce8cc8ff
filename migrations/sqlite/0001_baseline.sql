-- Create "api_tokens" table
CREATE TABLE `api_tokens` (
  `id` integer NOT NULL PRIMARY KEY AUTOINCREMENT,
  `created_at` datetime NOT NULL,
  `updated_at` datetime NOT NULL,
  `name` text NOT NULL,
  `role` text NOT NULL,
  `prefix` text NOT NULL,
  `secret_hash` text NOT NULL,
  `expires_at` datetime NULL,
  `revoked_at` datetime NULL,
  `last_used_at` datetime NULL,
  `organization_id` integer NOT NULL,
  `account_id` integer NOT NULL,
  CONSTRAINT `api_tokens_organizations_organization` FOREIGN KEY (`organization_id`) REFERENCES `organizations` (`id`) ON DELETE NO ACTION,
  CONSTRAINT `api_tokens_accounts_account` FOREIGN KEY (`account_id`) REFERENCES `accounts` (`id`) ON DELETE NO ACTION
);
-- Set sequence for "api_tokens" table
INSERT INTO sqlite_sequence (name, seq) VALUES ("api_tokens", 55834574848);
-- Create index "api_tokens_secret_hash_key" to table: "api_tokens"
CREATE UNIQUE INDEX `api_tokens_secret_hash_key` ON `api_tokens` (`secret_hash`);
-- Create "accounts" table
CREATE TABLE `accounts` (
  `id` integer NOT NULL PRIMARY KEY AUTOINCREMENT,
  `created_at` datetime NOT NULL,
  `updated_at` datetime NOT NULL,
  `email` text NOT NULL,
  `name` text NOT NULL
);
-- Set sequence for "accounts" table
INSERT INTO sqlite_sequence (name, seq) VALUES ("accounts", 60129542144);
-- Create index "accounts_email_key" to table: "accounts"
CREATE UNIQUE INDEX `accounts_email_key` ON `accounts` (`email`);
-- Create "agenda_items" table
CREATE TABLE `agenda_items` (
  `id` integer NOT NULL PRIMARY KEY AUTOINCREMENT,
  `created_at` datetime NOT NULL,
  `updated_at` datetime NOT NULL,
  `title` text NOT NULL,
  `kind` text NOT NULL,
  `starts_at` datetime NOT NULL,
  `duration_minutes` integer NOT NULL,
  `organization_id` integer NOT NULL,
  `meeting_id` integer NOT NULL,
  CONSTRAINT `agenda_items_organizations_organization` FOREIGN KEY (`organization_id`) REFERENCES `organizations` (`id`) ON DELETE NO ACTION,
  CONSTRAINT `agenda_items_meetings_meeting` FOREIGN KEY (`meeting_id`) REFERENCES `meetings` (`id`) ON DELETE NO ACTION
);
-- Create "communities" table
CREATE TABLE `communities` (
  `id` integer NOT NULL PRIMARY KEY AUTOINCREMENT,
  `created_at` datetime NOT NULL,
  `updated_at` datetime NOT NULL,
  `name` text NOT NULL,
  `kind` text NOT NULL,
  `description` text NULL,
  `organization_id` integer NOT NULL,
  CONSTRAINT `communities_organizations_organization` FOREIGN KEY (`organization_id`) REFERENCES `organizations` (`id`) ON DELETE NO ACTION
);
-- Set sequence for "communities" table
INSERT INTO sqlite_sequence (name, seq) VALUES ("communities", 4294967296);
-- Create index "community_organization_id_name" to table: "communities"
CREATE UNIQUE INDEX `community_organization_id_name` ON `communities` (`organization_id`, `name`);
-- Create "encounters" table
CREATE TABLE `encounters` (
  `id` integer NOT NULL PRIMARY KEY AUTOINCREMENT,
  `created_at` datetime NOT NULL,
  `updated_at` datetime NOT NULL,
  `how` text NOT NULL,
  `occurred_at` datetime NOT NULL,
  `organization_id` integer NOT NULL,
  `meeting_id` integer NOT NULL,
  `person_a_id` integer NOT NULL,
  `person_b_id` integer NOT NULL,
  CONSTRAINT `encounters_organizations_organization` FOREIGN KEY (`organization_id`) REFERENCES `organizations` (`id`) ON DELETE NO ACTION,
  CONSTRAINT `encounters_meetings_meeting` FOREIGN KEY (`meeting_id`) REFERENCES `meetings` (`id`) ON DELETE NO ACTION,
  CONSTRAINT `encounters_persons_person_a` FOREIGN KEY (`person_a_id`) REFERENCES `persons` (`id`) ON DELETE NO ACTION,
  CONSTRAINT `encounters_persons_person_b` FOREIGN KEY (`person_b_id`) REFERENCES `persons` (`id`) ON DELETE NO ACTION
);
-- Set sequence for "encounters" table
INSERT INTO sqlite_sequence (name, seq) VALUES ("encounters", 8589934592);
-- Create index "encounter_meeting_id_person_a_id_person_b_id" to table: "encounters"
CREATE UNIQUE INDEX `encounter_meeting_id_person_a_id_person_b_id` ON `encounters` (`meeting_id`, `person_a_id`, `person_b_id`);
-- Create index "encounter_person_b_id" to table: "encounters"
CREATE INDEX `encounter_person_b_id` ON `encounters` (`person_b_id`);
-- Create "feedbacks" table
CREATE TABLE `feedbacks` (
  `id` integer NOT NULL PRIMARY KEY AUTOINCREMENT,
  `created_at` datetime NOT NULL,
  `updated_at` datetime NOT NULL,
  `rating` integer NOT NULL,
  `comment` text NULL,
  `organization_id` integer NOT NULL,
  `meeting_id` integer NOT NULL,
  `person_id` integer NOT NULL,
  CONSTRAINT `feedbacks_organizations_organization` FOREIGN KEY (`organization_id`) REFERENCES `organizations` (`id`) ON DELETE NO ACTION,
  CONSTRAINT `feedbacks_meetings_meeting` FOREIGN KEY (`meeting_id`) REFERENCES `meetings` (`id`) ON DELETE NO ACTION,
  CONSTRAINT `feedbacks_persons_person` FOREIGN KEY (`person_id`) REFERENCES `persons` (`id`) ON DELETE NO ACTION
);
-- Set sequence for "feedbacks" table
INSERT INTO sqlite_sequence (name, seq) VALUES ("feedbacks", 12884901888);
-- Create index "feedback_meeting_id_person_id" to table: "feedbacks"
CREATE UNIQUE INDEX `feedback_meeting_id_person_id` ON `feedbacks` (`meeting_id`, `person_id`);
-- Create "follow_ups" table
CREATE TABLE `follow_ups` (
  `id` integer NOT NULL PRIMARY KEY AUTOINCREMENT,
  `created_at` datetime NOT NULL,
  `updated_at` datetime NOT NULL,
  `title` text NOT NULL,
  `description` text NULL,
  `due_date` datetime NULL,
  `status` text NOT NULL DEFAULT ('OPEN'),
  `done_at` datetime NULL,
  `organization_id` integer NOT NULL,
  `meeting_id` integer NOT NULL,
  `owner_id` integer NOT NULL,
  `objective_id` integer NULL,
  CONSTRAINT `follow_ups_organizations_organization` FOREIGN KEY (`organization_id`) REFERENCES `organizations` (`id`) ON DELETE NO ACTION,
  CONSTRAINT `follow_ups_meetings_meeting` FOREIGN KEY (`meeting_id`) REFERENCES `meetings` (`id`) ON DELETE NO ACTION,
  CONSTRAINT `follow_ups_persons_owner` FOREIGN KEY (`owner_id`) REFERENCES `persons` (`id`) ON DELETE NO ACTION,
  CONSTRAINT `follow_ups_objectives_objective` FOREIGN KEY (`objective_id`) REFERENCES `objectives` (`id`) ON DELETE SET NULL
);
-- Set sequence for "follow_ups" table
INSERT INTO sqlite_sequence (name, seq) VALUES ("follow_ups", 17179869184);
-- Create "indicators" table
CREATE TABLE `indicators` (
  `id` integer NOT NULL PRIMARY KEY AUTOINCREMENT,
  `created_at` datetime NOT NULL,
  `updated_at` datetime NOT NULL,
  `metric` text NOT NULL,
  `target` real NOT NULL,
  `unit` text NULL,
  `description` text NULL,
  `organization_id` integer NOT NULL,
  `objective_id` integer NOT NULL,
  CONSTRAINT `indicators_organizations_organization` FOREIGN KEY (`organization_id`) REFERENCES `organizations` (`id`) ON DELETE NO ACTION,
  CONSTRAINT `indicators_objectives_objective` FOREIGN KEY (`objective_id`) REFERENCES `objectives` (`id`) ON DELETE NO ACTION
);
-- Set sequence for "indicators" table
INSERT INTO sqlite_sequence (name, seq) VALUES ("indicators", 21474836480);
-- Create "meetings" table
CREATE TABLE `meetings` (
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
  `organization_id` integer NOT NULL,
  CONSTRAINT `meetings_organizations_organization` FOREIGN KEY (`organization_id`) REFERENCES `organizations` (`id`) ON DELETE NO ACTION
);
-- Set sequence for "meetings" table
INSERT INTO sqlite_sequence (name, seq) VALUES ("meetings", 25769803776);
-- Create index "meeting_organization_id_starts_at" to table: "meetings"
CREATE INDEX `meeting_organization_id_starts_at` ON `meetings` (`organization_id`, `starts_at`);
-- Create "memberships" table
CREATE TABLE `memberships` (
  `id` integer NOT NULL PRIMARY KEY AUTOINCREMENT,
  `created_at` datetime NOT NULL,
  `updated_at` datetime NOT NULL,
  `role` text NOT NULL,
  `organization_id` integer NOT NULL,
  `account_id` integer NOT NULL,
  CONSTRAINT `memberships_organizations_organization` FOREIGN KEY (`organization_id`) REFERENCES `organizations` (`id`) ON DELETE NO ACTION,
  CONSTRAINT `memberships_accounts_account` FOREIGN KEY (`account_id`) REFERENCES `accounts` (`id`) ON DELETE NO ACTION
);
-- Set sequence for "memberships" table
INSERT INTO sqlite_sequence (name, seq) VALUES ("memberships", 64424509440);
-- Create index "membership_organization_id_account_id" to table: "memberships"
CREATE UNIQUE INDEX `membership_organization_id_account_id` ON `memberships` (`organization_id`, `account_id`);
-- Create "objectives" table
CREATE TABLE `objectives` (
  `id` integer NOT NULL PRIMARY KEY AUTOINCREMENT,
  `created_at` datetime NOT NULL,
  `updated_at` datetime NOT NULL,
  `title` text NOT NULL,
  `description` text NULL,
  `category` text NOT NULL,
  `purpose` text NOT NULL,
  `due_date` datetime NULL,
  `status` text NOT NULL DEFAULT ('DRAFT'),
  `organization_id` integer NOT NULL,
  `owner_id` integer NULL,
  CONSTRAINT `objectives_organizations_organization` FOREIGN KEY (`organization_id`) REFERENCES `organizations` (`id`) ON DELETE NO ACTION,
  CONSTRAINT `objectives_persons_owner` FOREIGN KEY (`owner_id`) REFERENCES `persons` (`id`) ON DELETE SET NULL
);
-- Set sequence for "objectives" table
INSERT INTO sqlite_sequence (name, seq) VALUES ("objectives", 30064771072);
-- Create "organizations" table
CREATE TABLE `organizations` (
  `id` integer NOT NULL PRIMARY KEY AUTOINCREMENT,
  `created_at` datetime NOT NULL,
  `updated_at` datetime NOT NULL,
  `name` text NOT NULL,
  `slug` text NOT NULL
);
-- Set sequence for "organizations" table
INSERT INTO sqlite_sequence (name, seq) VALUES ("organizations", 34359738368);
-- Create index "organizations_slug_key" to table: "organizations"
CREATE UNIQUE INDEX `organizations_slug_key` ON `organizations` (`slug`);
-- Create "participations" table
CREATE TABLE `participations` (
  `id` integer NOT NULL PRIMARY KEY AUTOINCREMENT,
  `created_at` datetime NOT NULL,
  `updated_at` datetime NOT NULL,
  `role` text NOT NULL DEFAULT ('GUEST'),
  `status` text NOT NULL DEFAULT ('INVITED'),
  `invited_at` datetime NOT NULL,
  `responded_at` datetime NULL,
  `checked_in_at` datetime NULL,
  `organization_id` integer NOT NULL,
  `meeting_id` integer NOT NULL,
  `person_id` integer NOT NULL,
  `invited_by_id` integer NULL,
  CONSTRAINT `participations_organizations_organization` FOREIGN KEY (`organization_id`) REFERENCES `organizations` (`id`) ON DELETE NO ACTION,
  CONSTRAINT `participations_meetings_meeting` FOREIGN KEY (`meeting_id`) REFERENCES `meetings` (`id`) ON DELETE NO ACTION,
  CONSTRAINT `participations_persons_person` FOREIGN KEY (`person_id`) REFERENCES `persons` (`id`) ON DELETE NO ACTION,
  CONSTRAINT `participations_persons_invited_by` FOREIGN KEY (`invited_by_id`) REFERENCES `persons` (`id`) ON DELETE SET NULL
);
-- Set sequence for "participations" table
INSERT INTO sqlite_sequence (name, seq) VALUES ("participations", 38654705664);
-- Create index "participation_meeting_id_person_id" to table: "participations"
CREATE UNIQUE INDEX `participation_meeting_id_person_id` ON `participations` (`meeting_id`, `person_id`);
-- Create index "participation_person_id" to table: "participations"
CREATE INDEX `participation_person_id` ON `participations` (`person_id`);
-- Create "persons" table
CREATE TABLE `persons` (
  `id` integer NOT NULL PRIMARY KEY AUTOINCREMENT,
  `created_at` datetime NOT NULL,
  `updated_at` datetime NOT NULL,
  `name` text NOT NULL,
  `email` text NOT NULL,
  `phone` text NULL,
  `company` text NULL,
  `job_title` text NULL,
  `tags` json NULL,
  `vip` bool NOT NULL DEFAULT (false),
  `organization_id` integer NOT NULL,
  CONSTRAINT `persons_organizations_organization` FOREIGN KEY (`organization_id`) REFERENCES `organizations` (`id`) ON DELETE NO ACTION
);
-- Set sequence for "persons" table
INSERT INTO sqlite_sequence (name, seq) VALUES ("persons", 42949672960);
-- Create index "person_organization_id_email" to table: "persons"
CREATE UNIQUE INDEX `person_organization_id_email` ON `persons` (`organization_id`, `email`);
-- Create "relationships" table
CREATE TABLE `relationships` (
  `id` integer NOT NULL PRIMARY KEY AUTOINCREMENT,
  `created_at` datetime NOT NULL,
  `updated_at` datetime NOT NULL,
  `first_met_at` datetime NOT NULL,
  `last_met_at` datetime NOT NULL,
  `encounter_count` integer NOT NULL,
  `strength` real NOT NULL,
  `organization_id` integer NOT NULL,
  `person_a_id` integer NOT NULL,
  `person_b_id` integer NOT NULL,
  CONSTRAINT `relationships_organizations_organization` FOREIGN KEY (`organization_id`) REFERENCES `organizations` (`id`) ON DELETE NO ACTION,
  CONSTRAINT `relationships_persons_person_a` FOREIGN KEY (`person_a_id`) REFERENCES `persons` (`id`) ON DELETE NO ACTION,
  CONSTRAINT `relationships_persons_person_b` FOREIGN KEY (`person_b_id`) REFERENCES `persons` (`id`) ON DELETE NO ACTION
);
-- Set sequence for "relationships" table
INSERT INTO sqlite_sequence (name, seq) VALUES ("relationships", 47244640256);
-- Create index "relationship_person_a_id_person_b_id" to table: "relationships"
CREATE UNIQUE INDEX `relationship_person_a_id_person_b_id` ON `relationships` (`person_a_id`, `person_b_id`);
-- Create index "relationship_person_b_id" to table: "relationships"
CREATE INDEX `relationship_person_b_id` ON `relationships` (`person_b_id`);
-- Create "touchpoints" table
CREATE TABLE `touchpoints` (
  `id` integer NOT NULL PRIMARY KEY AUTOINCREMENT,
  `created_at` datetime NOT NULL,
  `updated_at` datetime NOT NULL,
  `channel` text NOT NULL,
  `phase` text NULL,
  `occurred_at` datetime NOT NULL,
  `note` text NULL,
  `organization_id` integer NOT NULL,
  `person_id` integer NOT NULL,
  `meeting_id` integer NULL,
  CONSTRAINT `touchpoints_organizations_organization` FOREIGN KEY (`organization_id`) REFERENCES `organizations` (`id`) ON DELETE NO ACTION,
  CONSTRAINT `touchpoints_persons_person` FOREIGN KEY (`person_id`) REFERENCES `persons` (`id`) ON DELETE NO ACTION,
  CONSTRAINT `touchpoints_meetings_meeting` FOREIGN KEY (`meeting_id`) REFERENCES `meetings` (`id`) ON DELETE SET NULL
);
-- Set sequence for "touchpoints" table
INSERT INTO sqlite_sequence (name, seq) VALUES ("touchpoints", 51539607552);
-- Create "community_members" table
CREATE TABLE `community_members` (
  `community_id` integer NOT NULL,
  `person_id` integer NOT NULL,
  PRIMARY KEY (`community_id`, `person_id`),
  CONSTRAINT `community_members_community_id` FOREIGN KEY (`community_id`) REFERENCES `communities` (`id`) ON DELETE CASCADE,
  CONSTRAINT `community_members_person_id` FOREIGN KEY (`person_id`) REFERENCES `persons` (`id`) ON DELETE CASCADE
);
-- Create "follow_up_concerns" table
CREATE TABLE `follow_up_concerns` (
  `follow_up_id` integer NOT NULL,
  `person_id` integer NOT NULL,
  PRIMARY KEY (`follow_up_id`, `person_id`),
  CONSTRAINT `follow_up_concerns_follow_up_id` FOREIGN KEY (`follow_up_id`) REFERENCES `follow_ups` (`id`) ON DELETE CASCADE,
  CONSTRAINT `follow_up_concerns_person_id` FOREIGN KEY (`person_id`) REFERENCES `persons` (`id`) ON DELETE CASCADE
);
-- Create "meeting_objectives" table
CREATE TABLE `meeting_objectives` (
  `meeting_id` integer NOT NULL,
  `objective_id` integer NOT NULL,
  PRIMARY KEY (`meeting_id`, `objective_id`),
  CONSTRAINT `meeting_objectives_meeting_id` FOREIGN KEY (`meeting_id`) REFERENCES `meetings` (`id`) ON DELETE CASCADE,
  CONSTRAINT `meeting_objectives_objective_id` FOREIGN KEY (`objective_id`) REFERENCES `objectives` (`id`) ON DELETE CASCADE
);
-- Create "objective_communities" table
CREATE TABLE `objective_communities` (
  `objective_id` integer NOT NULL,
  `community_id` integer NOT NULL,
  PRIMARY KEY (`objective_id`, `community_id`),
  CONSTRAINT `objective_communities_objective_id` FOREIGN KEY (`objective_id`) REFERENCES `objectives` (`id`) ON DELETE CASCADE,
  CONSTRAINT `objective_communities_community_id` FOREIGN KEY (`community_id`) REFERENCES `communities` (`id`) ON DELETE CASCADE
);
