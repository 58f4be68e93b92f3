-- +goose Up

-- A rejected row whose stored cells cannot stand for the original (a cell
-- merged down several rows, a record the source could not read, a key read
-- twice, a NUL replaced) is kept but never processed again as it stands.
ALTER TABLE rejected_rows ADD COLUMN replayable boolean NOT NULL DEFAULT true;
CREATE INDEX rejected_rows_pending_idx ON rejected_rows (connector_id, external_id)
    WHERE resolved_at IS NULL;

-- +goose Down
DROP INDEX rejected_rows_pending_idx;
ALTER TABLE rejected_rows DROP COLUMN replayable;
