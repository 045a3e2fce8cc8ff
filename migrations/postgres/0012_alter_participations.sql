-- Create index "participation_meeting_id_organization_id_status" to table: "participations"
CREATE INDEX "participation_meeting_id_organization_id_status" ON "participations" ("meeting_id", "organization_id", "status");
