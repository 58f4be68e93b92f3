-- +goose Up

-- 数据质量监督检查 (article 25): a run checks the data of a region's subtree
-- for a year, or of a random sample of its projects (reproducible from the
-- seed), and keeps what it found.
CREATE TABLE inspection_runs (
    id          bigserial PRIMARY KEY,
    region_code text NOT NULL REFERENCES regions (code),
    year        integer NOT NULL,
    sample_size integer CHECK (sample_size > 0),
    seed        bigint,
    started_by  text NOT NULL,
    started_at  timestamptz NOT NULL DEFAULT now(),
    findings    integer NOT NULL DEFAULT 0,
    CHECK ((sample_size IS NULL) = (seed IS NULL))
);

CREATE TABLE inspection_findings (
    id            bigserial PRIMARY KEY,
    run_id        bigint NOT NULL REFERENCES inspection_runs (id),
    check_name    text NOT NULL,
    severity      text NOT NULL CHECK (severity IN ('INFO', 'MINOR', 'MAJOR')),
    region_code   text NOT NULL REFERENCES regions (code),
    direction     text,
    allocation_id bigint REFERENCES allocations (id),
    project_id    bigint REFERENCES projects (id),
    payment_id    bigint REFERENCES payments (id),
    report_id     bigint REFERENCES execution_reports (id),
    target_id     bigint REFERENCES performance_targets (id),
    detail        text NOT NULL
);
CREATE INDEX inspection_findings_run_idx ON inspection_findings (run_id);

-- +goose Down
DROP TABLE inspection_findings;
DROP TABLE inspection_runs;
