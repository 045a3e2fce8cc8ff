-- Create index "person_organization_id_updated_at" to table: "persons"
CREATE INDEX `person_organization_id_updated_at` ON `persons` (`organization_id`, `updated_at`);
-- Create index "relationship_organization_id_updated_at" to table: "relationships"
CREATE INDEX `relationship_organization_id_updated_at` ON `relationships` (`organization_id`, `updated_at`);
