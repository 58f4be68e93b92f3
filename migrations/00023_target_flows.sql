-- +goose Up

-- Target completion as of any quarter, summed per fund, region and quarter
-- so that the analysis reads a few hundred thousand rows instead of every
-- target and its report lines. A measured target (a leaf, live, with a
-- value to reach and a fund) has a step at quarter_index -1 that counts it,
-- and one at each quarter a value was reported for it holding the change
-- of its completion (the value over the target, at most 1) since the last
-- report: the steps up to a quarter sum to its completion then.
-- quarter_index is year * 4 + quarter - 1.
CREATE TABLE target_steps (
    target_id     bigint  NOT NULL,
    fund_id       bigint  NOT NULL,
    region_code   text    NOT NULL,
    quarter_index integer NOT NULL,
    completion    numeric NOT NULL,
    targets       integer NOT NULL,
    PRIMARY KEY (target_id, quarter_index)
);

CREATE TABLE target_flows (
    fund_id       bigint  NOT NULL,
    region_code   text    NOT NULL,
    quarter_index integer NOT NULL,
    completion    numeric NOT NULL,
    targets       bigint  NOT NULL,
    PRIMARY KEY (fund_id, region_code, quarter_index)
);

-- target_flows_refresh works the steps of the targets ids out afresh and
-- moves the sums from their old steps to their new ones, in key order.
-- +goose StatementBegin
CREATE FUNCTION target_flows_refresh(ids bigint[]) RETURNS void AS $$
BEGIN
    INSERT INTO target_flows AS f
    SELECT fund_id, region_code, quarter_index, -sum(completion), -sum(targets)
    FROM target_steps WHERE target_id = ANY(ids)
    GROUP BY 1, 2, 3 ORDER BY 1, 2, 3
    ON CONFLICT (fund_id, region_code, quarter_index)
    DO UPDATE SET completion = f.completion + EXCLUDED.completion,
                  targets = f.targets + EXCLUDED.targets;
    DELETE FROM target_steps WHERE target_id = ANY(ids);

    INSERT INTO target_steps
    WITH measured AS (
        SELECT t.id, COALESCE(t.fund_id, ta.fund_id) AS fund_id, t.region_code,
               t.target_value
        FROM performance_targets t LEFT JOIN allocations ta ON ta.id = t.allocation_id
        WHERE t.id = ANY(ids) AND NOT t.withdrawn AND t.target_value > 0
            AND (t.comparator IS NULL OR t.comparator IN ('>=', '>', '=', '~'))
            AND COALESCE(t.fund_id, ta.fund_id) IS NOT NULL
            AND NOT EXISTS (SELECT 1 FROM performance_targets c WHERE c.parent_id = t.id)),
    reported AS (
        SELECT DISTINCT ON (rl.target_id, er.year, er.quarter) rl.target_id,
               er.year * 4 + er.quarter - 1 AS quarter_index, rl.actual_value
        FROM report_lines rl JOIN execution_reports er ON er.id = rl.report_id
        WHERE rl.target_id = ANY(ids) AND rl.actual_value IS NOT NULL
            AND NOT rl.withdrawn
        ORDER BY rl.target_id, er.year, er.quarter, rl.id DESC),
    capped AS (
        SELECT r.target_id, r.quarter_index,
               LEAST(r.actual_value / m.target_value, 1) AS completion
        FROM reported r JOIN measured m ON m.id = r.target_id)
    SELECT id, fund_id, region_code, -1, 0, 1 FROM measured
    UNION ALL
    SELECT c.target_id, m.fund_id, m.region_code, c.quarter_index,
           c.completion - COALESCE(lag(c.completion) OVER (PARTITION BY c.target_id
               ORDER BY c.quarter_index), 0), 0
    FROM capped c JOIN measured m ON m.id = c.target_id;

    INSERT INTO target_flows AS f
    SELECT fund_id, region_code, quarter_index, sum(completion), sum(targets)
    FROM target_steps WHERE target_id = ANY(ids)
    GROUP BY 1, 2, 3 ORDER BY 1, 2, 3
    ON CONFLICT (fund_id, region_code, quarter_index)
    DO UPDATE SET completion = f.completion + EXCLUDED.completion,
                  targets = f.targets + EXCLUDED.targets;
END;
$$ LANGUAGE plpgsql;
-- +goose StatementEnd

-- A target's steps change with its report lines, with itself, with its
-- children (a decomposed target is measured through its parts) and with
-- the fund of the allocation it travels with.
-- +goose StatementBegin
CREATE FUNCTION target_flows_from_lines() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        PERFORM target_flows_refresh(ARRAY(SELECT DISTINCT target_id FROM new_rows
            WHERE target_id IS NOT NULL ORDER BY 1));
    ELSIF TG_OP = 'DELETE' THEN
        PERFORM target_flows_refresh(ARRAY(SELECT DISTINCT target_id FROM old_rows
            WHERE target_id IS NOT NULL ORDER BY 1));
    ELSE
        PERFORM target_flows_refresh(ARRAY(
            SELECT target_id FROM new_rows WHERE target_id IS NOT NULL
            UNION SELECT target_id FROM old_rows WHERE target_id IS NOT NULL ORDER BY 1));
    END IF;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE FUNCTION target_flows_from_targets() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        PERFORM target_flows_refresh(ARRAY(SELECT id FROM new_rows
            UNION SELECT parent_id FROM new_rows WHERE parent_id IS NOT NULL ORDER BY 1));
    ELSIF TG_OP = 'DELETE' THEN
        PERFORM target_flows_refresh(ARRAY(SELECT id FROM old_rows
            UNION SELECT parent_id FROM old_rows WHERE parent_id IS NOT NULL ORDER BY 1));
    ELSE
        PERFORM target_flows_refresh(ARRAY(SELECT id FROM new_rows
            UNION SELECT parent_id FROM new_rows WHERE parent_id IS NOT NULL
            UNION SELECT parent_id FROM old_rows WHERE parent_id IS NOT NULL ORDER BY 1));
    END IF;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE FUNCTION target_flows_from_allocations() RETURNS trigger AS $$
BEGIN
    PERFORM target_flows_refresh(ARRAY(SELECT t.id FROM old_rows o
        JOIN new_rows n ON n.id = o.id
        JOIN performance_targets t ON t.allocation_id = n.id AND t.fund_id IS NULL
        WHERE o.fund_id <> n.fund_id ORDER BY 1));
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;
-- +goose StatementEnd

CREATE TRIGGER target_flows_line_insert AFTER INSERT ON report_lines
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION target_flows_from_lines();
CREATE TRIGGER target_flows_line_update AFTER UPDATE ON report_lines
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION target_flows_from_lines();
CREATE TRIGGER target_flows_line_delete AFTER DELETE ON report_lines
    REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION target_flows_from_lines();
CREATE TRIGGER target_flows_target_insert AFTER INSERT ON performance_targets
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION target_flows_from_targets();
CREATE TRIGGER target_flows_target_update AFTER UPDATE ON performance_targets
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION target_flows_from_targets();
CREATE TRIGGER target_flows_target_delete AFTER DELETE ON performance_targets
    REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION target_flows_from_targets();
CREATE TRIGGER target_flows_allocation AFTER UPDATE ON allocations
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION target_flows_from_allocations();

SELECT target_flows_refresh(ARRAY(SELECT id FROM performance_targets ORDER BY 1));

-- +goose Down
DROP TRIGGER target_flows_allocation ON allocations;
DROP TRIGGER target_flows_target_delete ON performance_targets;
DROP TRIGGER target_flows_target_update ON performance_targets;
DROP TRIGGER target_flows_target_insert ON performance_targets;
DROP TRIGGER target_flows_line_delete ON report_lines;
DROP TRIGGER target_flows_line_update ON report_lines;
DROP TRIGGER target_flows_line_insert ON report_lines;
DROP FUNCTION target_flows_from_allocations;
DROP FUNCTION target_flows_from_targets;
DROP FUNCTION target_flows_from_lines;
DROP FUNCTION target_flows_refresh;
DROP TABLE target_flows;
DROP TABLE target_steps;
