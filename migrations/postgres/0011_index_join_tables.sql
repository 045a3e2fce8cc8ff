-- Create index "community_members_person_id_idx" to table: "community_members"
CREATE INDEX "community_members_person_id_idx" ON "community_members" ("person_id");
-- Create index "follow_up_concerns_person_id_idx" to table: "follow_up_concerns"
CREATE INDEX "follow_up_concerns_person_id_idx" ON "follow_up_concerns" ("person_id");
-- Create index "meeting_objectives_objective_id_idx" to table: "meeting_objectives"
CREATE INDEX "meeting_objectives_objective_id_idx" ON "meeting_objectives" ("objective_id");
-- Create index "objective_communities_community_id_idx" to table: "objective_communities"
CREATE INDEX "objective_communities_community_id_idx" ON "objective_communities" ("community_id");
-- Create index "series_invitee_communities_community_id_idx" to table: "series_invitee_communities"
CREATE INDEX "series_invitee_communities_community_id_idx" ON "series_invitee_communities" ("community_id");
-- Create index "series_invitees_person_id_idx" to table: "series_invitees"
CREATE INDEX "series_invitees_person_id_idx" ON "series_invitees" ("person_id");
-- Create index "series_objectives_objective_id_idx" to table: "series_objectives"
CREATE INDEX "series_objectives_objective_id_idx" ON "series_objectives" ("objective_id");
