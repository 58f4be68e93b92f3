-- +goose Up

-- A record deleted at its source is marked withdrawn, never deleted here:
-- it keeps its history and stops counting in totals.
ALTER TABLE allocation_sources ADD COLUMN withdrawn boolean NOT NULL DEFAULT false;
ALTER TABLE projects ADD COLUMN withdrawn boolean NOT NULL DEFAULT false;
ALTER TABLE performance_targets ADD COLUMN withdrawn boolean NOT NULL DEFAULT false;
ALTER TABLE funds ADD COLUMN withdrawn boolean NOT NULL DEFAULT false;

-- Payments keep the source's own key of the payment they reverse, so a
-- refund can arrive before the payment it refunds.
ALTER TABLE payments ADD COLUMN reverses_external_id text;
ALTER TABLE payments ADD COLUMN project_code text;
CREATE INDEX payments_paid_on_idx ON payments (paid_on);

-- +goose Down
DROP INDEX payments_paid_on_idx;
ALTER TABLE payments DROP COLUMN project_code;
ALTER TABLE payments DROP COLUMN reverses_external_id;
ALTER TABLE funds DROP COLUMN withdrawn;
ALTER TABLE performance_targets DROP COLUMN withdrawn;
ALTER TABLE projects DROP COLUMN withdrawn;
ALTER TABLE allocation_sources DROP COLUMN withdrawn;
