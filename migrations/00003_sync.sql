-- +goose Up

CREATE TABLE connectors (
    id         bigserial PRIMARY KEY,
    name       text NOT NULL UNIQUE CHECK (name ~ '^[a-z0-9][a-z0-9_-]*$'),
    kind       text NOT NULL CHECK (kind IN ('file', 'http', 'sql')),
    schedule   text NOT NULL DEFAULT '',
    enabled    boolean NOT NULL DEFAULT true,
    config     jsonb NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE sync_runs (
    id             bigserial PRIMARY KEY,
    connector_id   bigint NOT NULL REFERENCES connectors (id),
    started_at     timestamptz NOT NULL,
    finished_at    timestamptz,
    status         text NOT NULL CHECK (status IN (
        'RUNNING', 'SUCCEEDED', 'FAILED', 'CANCELLED', 'SKIPPED')),
    trigger        text NOT NULL DEFAULT 'manual',
    rows_read      integer NOT NULL DEFAULT 0,
    rows_inserted  integer NOT NULL DEFAULT 0,
    rows_updated   integer NOT NULL DEFAULT 0,
    rows_unchanged integer NOT NULL DEFAULT 0,
    rows_rejected  integer NOT NULL DEFAULT 0,
    rows_skipped   integer NOT NULL DEFAULT 0,
    error          text
);
CREATE INDEX sync_runs_connector_idx ON sync_runs (connector_id, started_at DESC);

-- The position a connector has committed up to. It is written in the same
-- transaction as the batch it follows, never before.
CREATE TABLE sync_cursors (
    connector_id bigint PRIMARY KEY REFERENCES connectors (id),
    value        text NOT NULL,
    run_id       bigint REFERENCES sync_runs (id),
    updated_at   timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE rejected_rows (
    id           bigserial PRIMARY KEY,
    run_id       bigint NOT NULL REFERENCES sync_runs (id),
    connector_id bigint NOT NULL REFERENCES connectors (id),
    ref          text NOT NULL,
    external_id  text,
    field        text,
    reason       text NOT NULL,
    data         jsonb NOT NULL DEFAULT '{}',
    created_at   timestamptz NOT NULL DEFAULT now(),
    resolved_at  timestamptz
);
CREATE INDEX rejected_rows_run_idx ON rejected_rows (run_id);

-- +goose Down
DROP TABLE rejected_rows;
DROP TABLE sync_cursors;
DROP TABLE sync_runs;
DROP TABLE connectors;
