-- +goose Up

-- 绩效评价结果: what a performance evaluation found a target reached, as
-- recorded by the level above. Inspections compare it with what the
-- reports said.
CREATE TABLE target_evaluations (
    id           bigserial PRIMARY KEY,
    target_id    bigint NOT NULL REFERENCES performance_targets (id),
    value        numeric(24, 6) NOT NULL,
    evaluated_on date NOT NULL,
    note         text,
    recorded_by  text NOT NULL,
    recorded_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX target_evaluations_target_idx ON target_evaluations (target_id);

-- +goose Down
DROP TABLE target_evaluations;
