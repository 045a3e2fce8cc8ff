-- Disable the enforcement of foreign-keys constraints
PRAGMA foreign_keys = off;
-- Create "new_relationships" table
CREATE TABLE `new_relationships` (
  `id` integer NOT NULL PRIMARY KEY AUTOINCREMENT,
  `created_at` datetime NOT NULL,
  `updated_at` datetime NOT NULL,
  `first_met_at` datetime NOT NULL,
  `last_met_at` datetime NOT NULL,
  `encounter_count` integer NOT NULL,
  `strength` real NOT NULL,
  `decay_key` real NULL,
  `organization_id` integer NOT NULL,
  `person_a_id` integer NOT NULL,
  `person_b_id` integer NOT NULL,
  CONSTRAINT `relationships_organizations_organization` FOREIGN KEY (`organization_id`) REFERENCES `organizations` (`id`) ON DELETE NO ACTION,
  CONSTRAINT `relationships_persons_person_a` FOREIGN KEY (`person_a_id`) REFERENCES `persons` (`id`) ON DELETE NO ACTION,
  CONSTRAINT `relationships_persons_person_b` FOREIGN KEY (`person_b_id`) REFERENCES `persons` (`id`) ON DELETE NO ACTION
);
-- Set sequence for "new_relationships" table
INSERT INTO sqlite_sequence (name, seq) VALUES ("new_relationships", 47244640256);
-- Copy rows from old table "relationships" to new temporary table "new_relationships"
INSERT INTO `new_relationships` (`id`, `created_at`, `updated_at`, `first_met_at`, `last_met_at`, `encounter_count`, `strength`, `organization_id`, `person_a_id`, `person_b_id`) SELECT `id`, `created_at`, `updated_at`, `first_met_at`, `last_met_at`, `encounter_count`, `strength`, `organization_id`, `person_a_id`, `person_b_id` FROM `relationships`;
-- Drop "relationships" table after copying rows
DROP TABLE `relationships`;
-- Rename temporary table "new_relationships" to "relationships"
ALTER TABLE `new_relationships` RENAME TO `relationships`;
-- Create index "relationship_person_a_id_person_b_id" to table: "relationships"
CREATE UNIQUE INDEX `relationship_person_a_id_person_b_id` ON `relationships` (`person_a_id`, `person_b_id`);
-- Create index "relationship_person_b_id" to table: "relationships"
CREATE INDEX `relationship_person_b_id` ON `relationships` (`person_b_id`);
-- Create index "relationship_organization_id_decay_key" to table: "relationships"
CREATE INDEX `relationship_organization_id_decay_key` ON `relationships` (`organization_id`, `decay_key`);
-- Enable back the enforcement of foreign-keys constraints
PRAGMA foreign_keys = on;
-- Backfill the decay key of existing relationships (internal/network.DecayKey):
-- log2(strength) + last_met_at / 180 days, in seconds.
UPDATE `relationships` SET `decay_key` = log2(`strength`) + unixepoch(`last_met_at`, 'subsec') / 15552000.0 WHERE `strength` > 0;
