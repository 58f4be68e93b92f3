-- +goose Up

ALTER TABLE report_lines ADD COLUMN withdrawn boolean NOT NULL DEFAULT false;
ALTER TABLE report_lines ADD COLUMN project_code text;

-- +goose Down
ALTER TABLE report_lines DROP COLUMN project_code;
ALTER TABLE report_lines DROP COLUMN withdrawn;
