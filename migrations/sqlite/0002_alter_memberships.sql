-- Disable the enforcement of foreign-keys constraints
PRAGMA foreign_keys = off;
-- Create "new_memberships" table
CREATE TABLE `new_memberships` (
  `id` integer NOT NULL PRIMARY KEY AUTOINCREMENT,
  `created_at` datetime NOT NULL,
  `updated_at` datetime NOT NULL,
  `role` text NOT NULL,
  `status` text NOT NULL DEFAULT ('ACTIVE'),
  `invited_email` text NULL,
  `invited_name` text NULL,
  `invitation_code_hash` text NULL,
  `invitation_expires_at` datetime NULL,
  `responded_at` datetime NULL,
  `organization_id` integer NOT NULL,
  `account_id` integer NULL,
  CONSTRAINT `memberships_organizations_organization` FOREIGN KEY (`organization_id`) REFERENCES `organizations` (`id`) ON DELETE NO ACTION,
  CONSTRAINT `memberships_accounts_account` FOREIGN KEY (`account_id`) REFERENCES `accounts` (`id`) ON DELETE NO ACTION
);
-- Set sequence for "new_memberships" table
INSERT INTO sqlite_sequence (name, seq) VALUES ("new_memberships", 64424509440);
-- Copy rows from old table "memberships" to new temporary table "new_memberships"
INSERT INTO `new_memberships` (`id`, `created_at`, `updated_at`, `role`, `organization_id`, `account_id`) SELECT `id`, `created_at`, `updated_at`, `role`, `organization_id`, `account_id` FROM `memberships`;
-- Drop "memberships" table after copying rows
DROP TABLE `memberships`;
-- Rename temporary table "new_memberships" to "memberships"
ALTER TABLE `new_memberships` RENAME TO `memberships`;
-- Create index "memberships_invitation_code_hash_key" to table: "memberships"
CREATE UNIQUE INDEX `memberships_invitation_code_hash_key` ON `memberships` (`invitation_code_hash`);
-- Create index "membership_organization_id_account_id" to table: "memberships"
CREATE UNIQUE INDEX `membership_organization_id_account_id` ON `memberships` (`organization_id`, `account_id`);
-- Create index "membership_organization_id_invited_email" to table: "memberships"
CREATE UNIQUE INDEX `membership_organization_id_invited_email` ON `memberships` (`organization_id`, `invited_email`);
-- Create index "membership_invited_email" to table: "memberships"
CREATE INDEX `membership_invited_email` ON `memberships` (`invited_email`);
-- Enable back the enforcement of foreign-keys constraints
PRAGMA foreign_keys = on;
