-- Disable the enforcement of foreign-keys constraints
PRAGMA foreign_keys = off;
-- Create "new_follow_ups" table
CREATE TABLE `new_follow_ups` (
  `id` integer NOT NULL PRIMARY KEY AUTOINCREMENT,
  `created_at` datetime NOT NULL,
  `updated_at` datetime NOT NULL,
  `title` text NOT NULL,
  `description` text NULL,
  `due_date` datetime NULL,
  `status` text NOT NULL DEFAULT ('OPEN'),
  `done_at` datetime NULL,
  `cancelled_at` datetime NULL,
  `status_changed_at` datetime NULL,
  `reopened_count` integer NOT NULL DEFAULT (0),
  `reopened_at` datetime NULL,
  `organization_id` integer NOT NULL,
  `meeting_id` integer NOT NULL,
  `owner_id` integer NOT NULL,
  `objective_id` integer NULL,
  CONSTRAINT `follow_ups_organizations_organization` FOREIGN KEY (`organization_id`) REFERENCES `organizations` (`id`) ON DELETE NO ACTION,
  CONSTRAINT `follow_ups_meetings_meeting` FOREIGN KEY (`meeting_id`) REFERENCES `meetings` (`id`) ON DELETE NO ACTION,
  CONSTRAINT `follow_ups_persons_owner` FOREIGN KEY (`owner_id`) REFERENCES `persons` (`id`) ON DELETE NO ACTION,
  CONSTRAINT `follow_ups_objectives_objective` FOREIGN KEY (`objective_id`) REFERENCES `objectives` (`id`) ON DELETE SET NULL
);
-- Set sequence for "new_follow_ups" table
INSERT INTO sqlite_sequence (name, seq) VALUES ("new_follow_ups", 17179869184);
-- Copy rows from old table "follow_ups" to new temporary table "new_follow_ups"
INSERT INTO `new_follow_ups` (`id`, `created_at`, `updated_at`, `title`, `description`, `due_date`, `status`, `done_at`, `organization_id`, `meeting_id`, `owner_id`, `objective_id`) SELECT `id`, `created_at`, `updated_at`, `title`, `description`, `due_date`, `status`, `done_at`, `organization_id`, `meeting_id`, `owner_id`, `objective_id` FROM `follow_ups`;
-- Drop "follow_ups" table after copying rows
DROP TABLE `follow_ups`;
-- Rename temporary table "new_follow_ups" to "follow_ups"
ALTER TABLE `new_follow_ups` RENAME TO `follow_ups`;
-- Enable back the enforcement of foreign-keys constraints
PRAGMA foreign_keys = on;
