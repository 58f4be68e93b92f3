-- +goose Up

-- The latest value reported for each target, kept on the target by
-- triggers on report lines: the analysis measures target completion as of
-- a quarter from it, and looks the lines up only for a target reported
-- again after that quarter. reported_index is the quarter of the report
-- that gave it, as year * 4 + quarter - 1.
ALTER TABLE performance_targets ADD COLUMN reported_value numeric(24, 6),
    ADD COLUMN reported_index integer;

-- +goose StatementBegin
CREATE FUNCTION target_reported_refresh(ids bigint[]) RETURNS void AS $$
    UPDATE performance_targets t
    SET reported_value = l.actual_value, reported_index = l.idx
    FROM (SELECT tid, latest.actual_value, latest.idx
          FROM unnest(ids) AS tid
          LEFT JOIN LATERAL (SELECT rl.actual_value, er.year * 4 + er.quarter - 1 AS idx
              FROM report_lines rl JOIN execution_reports er ON er.id = rl.report_id
              WHERE rl.target_id = tid AND rl.actual_value IS NOT NULL
                  AND NOT rl.withdrawn
              ORDER BY er.year DESC, er.quarter DESC, rl.id DESC LIMIT 1) latest ON true
          ORDER BY tid) l
    WHERE t.id = l.tid AND (t.reported_value IS DISTINCT FROM l.actual_value
        OR t.reported_index IS DISTINCT FROM l.idx);
$$ LANGUAGE sql;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE FUNCTION target_reported_insert() RETURNS trigger AS $$
BEGIN
    PERFORM target_reported_refresh(ARRAY(SELECT DISTINCT target_id FROM new_rows
        WHERE target_id IS NOT NULL));
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE FUNCTION target_reported_update() RETURNS trigger AS $$
BEGIN
    PERFORM target_reported_refresh(ARRAY(
        SELECT target_id FROM new_rows WHERE target_id IS NOT NULL
        UNION SELECT target_id FROM old_rows WHERE target_id IS NOT NULL));
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE FUNCTION target_reported_delete() RETURNS trigger AS $$
BEGIN
    PERFORM target_reported_refresh(ARRAY(SELECT DISTINCT target_id FROM old_rows
        WHERE target_id IS NOT NULL));
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;
-- +goose StatementEnd

CREATE TRIGGER target_reported_insert AFTER INSERT ON report_lines
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION target_reported_insert();
CREATE TRIGGER target_reported_update AFTER UPDATE ON report_lines
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION target_reported_update();
CREATE TRIGGER target_reported_delete AFTER DELETE ON report_lines
    REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION target_reported_delete();

SELECT target_reported_refresh(ARRAY(SELECT DISTINCT target_id FROM report_lines
    WHERE target_id IS NOT NULL));

-- +goose Down
DROP TRIGGER target_reported_delete ON report_lines;
DROP TRIGGER target_reported_update ON report_lines;
DROP TRIGGER target_reported_insert ON report_lines;
DROP FUNCTION target_reported_delete;
DROP FUNCTION target_reported_update;
DROP FUNCTION target_reported_insert;
DROP FUNCTION target_reported_refresh;
ALTER TABLE performance_targets DROP COLUMN reported_index, DROP COLUMN reported_value;
