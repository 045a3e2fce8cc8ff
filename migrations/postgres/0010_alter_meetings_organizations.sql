-- Modify "meetings" table: budgets become exact decimals, counted in
-- ten-thousandths of their currency (internal/money), so 12.5 becomes 125000.
ALTER TABLE "meetings" ALTER COLUMN "budget_amount" TYPE bigint USING round("budget_amount" * 10000)::bigint;
-- Modify "organizations" table
ALTER TABLE "organizations" ADD COLUMN "currency" character varying NOT NULL DEFAULT 'EUR', ADD COLUMN "segment_regular_min" bigint NOT NULL DEFAULT 2, ADD COLUMN "segment_loyal_min" bigint NOT NULL DEFAULT 5, ADD COLUMN "segment_window_months" bigint NOT NULL DEFAULT 12, ADD COLUMN "segment_lapse_months" bigint NOT NULL DEFAULT 12;
