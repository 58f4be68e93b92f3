-- +goose Up

-- IF NOT EXISTS: development databases made while these objects were first
-- written may hold them already.

-- The date the last region list applied was valid on; a list dated earlier
-- would rewrite history backwards and is refused.
CREATE TABLE IF NOT EXISTS region_list_dates (
    as_of      date NOT NULL,
    applied_at timestamptz NOT NULL DEFAULT now()
);

-- A database whose regions were loaded before this table existed took
-- its list as of the date the first list is valid on.
INSERT INTO region_list_dates (as_of)
SELECT DATE '2024-12-31' WHERE EXISTS (SELECT 1 FROM regions WHERE level = 'PROVINCE')
    AND NOT EXISTS (SELECT 1 FROM region_list_dates);

-- Refunds not yet linked to the payment they reverse, so linking after each
-- batch touches only those and not every payment of the source.
CREATE INDEX IF NOT EXISTS payments_unlinked_refunds_idx ON payments (source_system)
    WHERE reverses_external_id IS NOT NULL AND reverses_id IS NULL;

-- +goose Down
DROP INDEX payments_unlinked_refunds_idx;
DROP TABLE region_list_dates;
