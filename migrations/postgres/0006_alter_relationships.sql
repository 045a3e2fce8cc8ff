-- Modify "relationships" table
ALTER TABLE "relationships" ADD COLUMN "decay_key" double precision NULL;
-- Create index "relationship_organization_id_decay_key" to table: "relationships"
CREATE INDEX "relationship_organization_id_decay_key" ON "relationships" ("organization_id", "decay_key");
-- Backfill the decay key of existing relationships (internal/network.DecayKey):
-- log2(strength) + last_met_at / 180 days, in seconds.
UPDATE "relationships" SET "decay_key" = log(2, "strength"::numeric)::double precision + extract(epoch from "last_met_at") / 15552000 WHERE "strength" > 0;
