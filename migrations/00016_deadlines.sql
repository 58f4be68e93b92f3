-- +goose Up

-- Deadlines of the working procedure, computed by the monitor from the
-- allocations, reports and the holiday calendar, one row per region and
-- subject. key names the subject so a later run updates the same row.
-- due_on is NULL, with a note saying why, when the calendar does not cover
-- the day a deadline would fall on: the hub does not guess holidays.
CREATE TABLE deadlines (
    id            bigserial PRIMARY KEY,
    key           text NOT NULL UNIQUE,
    kind          text NOT NULL CHECK (kind IN (
        'PASS_ON', 'FILING', 'TARGET_FILING', 'QUARTER_REPORT')),
    region_code   text NOT NULL REFERENCES regions (code),
    allocation_id bigint REFERENCES allocations (id),
    direction     text,
    year          integer,
    quarter       integer,
    starts_on     date,
    due_on        date,
    met_on        date,
    note          text,
    computed_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX deadlines_region_idx ON deadlines (region_code);
CREATE INDEX deadlines_due_idx ON deadlines (due_on);

-- +goose Down
DROP TABLE deadlines;
