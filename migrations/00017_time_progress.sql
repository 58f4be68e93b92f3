-- +goose Up

-- 序时进度: how a fund counts the elapsed share of its year when payment is
-- measured against time, by days or by whole months, as the fund chooses.
ALTER TABLE funds ADD COLUMN progress_by text NOT NULL DEFAULT 'DAYS'
    CHECK (progress_by IN ('DAYS', 'MONTHS'));

-- +goose Down
ALTER TABLE funds DROP COLUMN progress_by;
