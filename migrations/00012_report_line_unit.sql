-- +goose Up

-- The unit a hand-entered actual value is in, kept until the report is
-- submitted, when it must be the target's own unit: a value in 亩 read as
-- 公顷 would overstate progress fifteen times.
ALTER TABLE report_lines ADD COLUMN unit text;

-- Change requests are read per report and per region.
CREATE INDEX change_requests_entity_idx ON change_requests (entity, entity_id);
CREATE INDEX change_requests_region_idx ON change_requests (region_code);

-- +goose Down
DROP INDEX change_requests_region_idx;
DROP INDEX change_requests_entity_idx;
ALTER TABLE report_lines DROP COLUMN unit;
