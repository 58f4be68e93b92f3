-- +goose Up

-- What was paid, summed by fund, source, paying region and calendar
-- quarter: the analytical queries read these few hundred thousand rows
-- instead of millions of payments. Triggers on payments keep it exact in the
-- same transaction as every change, so a total never lags the payments it
-- sums. fund_id 0 and empty texts stand for "none" so the key has no NULLs.
CREATE TABLE payment_flows (
    fund_id           bigint  NOT NULL,
    project_direction text    NOT NULL,
    source            text    NOT NULL,
    region_code       text    NOT NULL,
    year              integer NOT NULL,
    quarter           integer NOT NULL,
    amount            numeric(24, 2) NOT NULL,
    payments          bigint  NOT NULL,
    PRIMARY KEY (fund_id, project_direction, source, region_code, year, quarter)
);

-- payment_flow_keys is the key and amount each payment adds, withdrawn
-- ones adding nothing. Its source is the payment's, else its allocation's.
CREATE VIEW payment_flow_keys AS
SELECT p.id, COALESCE(a.fund_id, 0) AS fund_id,
       COALESCE(pr.direction, '') AS project_direction,
       COALESCE(p.source, a.source, '') AS source, p.region_code,
       extract(year FROM p.paid_on)::integer AS year,
       extract(quarter FROM p.paid_on)::integer AS quarter, p.amount
FROM payments p
LEFT JOIN allocations a ON a.id = p.allocation_id
LEFT JOIN projects pr ON pr.id = p.project_id
WHERE NOT p.withdrawn;

-- Each statement on payments adds what its new rows pay and takes away
-- what its old rows paid, summed per key in key order, so that two
-- transactions touching the same rows lock them in the same order. The
-- three functions repeat one upsert because a transition table is visible
-- only inside its own trigger's function.
-- +goose StatementBegin
CREATE FUNCTION payment_flows_insert() RETURNS trigger AS $$
BEGIN
    INSERT INTO payment_flows AS f
    SELECT fund_id, project_direction, source, region_code, year, quarter,
           sum(amount), sum(payments)
    FROM (
        SELECT COALESCE(a.fund_id, 0) AS fund_id,
               COALESCE(pr.direction, '') AS project_direction,
               COALESCE(n.source, a.source, '') AS source, n.region_code,
               extract(year FROM n.paid_on)::integer AS year,
               extract(quarter FROM n.paid_on)::integer AS quarter,
               n.amount AS amount, 1 AS payments
        FROM new_rows n
        LEFT JOIN allocations a ON a.id = n.allocation_id
        LEFT JOIN projects pr ON pr.id = n.project_id
        WHERE NOT n.withdrawn) d
    GROUP BY 1, 2, 3, 4, 5, 6
    HAVING sum(amount) <> 0 OR sum(payments) <> 0
    ORDER BY 1, 2, 3, 4, 5, 6
    ON CONFLICT (fund_id, project_direction, source, region_code, year, quarter)
    DO UPDATE SET amount = f.amount + EXCLUDED.amount,
                  payments = f.payments + EXCLUDED.payments;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE FUNCTION payment_flows_delete() RETURNS trigger AS $$
BEGIN
    INSERT INTO payment_flows AS f
    SELECT fund_id, project_direction, source, region_code, year, quarter,
           sum(amount), sum(payments)
    FROM (
        SELECT COALESCE(a.fund_id, 0) AS fund_id,
               COALESCE(pr.direction, '') AS project_direction,
               COALESCE(o.source, a.source, '') AS source, o.region_code,
               extract(year FROM o.paid_on)::integer AS year,
               extract(quarter FROM o.paid_on)::integer AS quarter,
               -o.amount AS amount, -1 AS payments
        FROM old_rows o
        LEFT JOIN allocations a ON a.id = o.allocation_id
        LEFT JOIN projects pr ON pr.id = o.project_id
        WHERE NOT o.withdrawn) d
    GROUP BY 1, 2, 3, 4, 5, 6
    HAVING sum(amount) <> 0 OR sum(payments) <> 0
    ORDER BY 1, 2, 3, 4, 5, 6
    ON CONFLICT (fund_id, project_direction, source, region_code, year, quarter)
    DO UPDATE SET amount = f.amount + EXCLUDED.amount,
                  payments = f.payments + EXCLUDED.payments;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE FUNCTION payment_flows_update() RETURNS trigger AS $$
BEGIN
    INSERT INTO payment_flows AS f
    SELECT fund_id, project_direction, source, region_code, year, quarter,
           sum(amount), sum(payments)
    FROM (
        SELECT COALESCE(a.fund_id, 0) AS fund_id,
               COALESCE(pr.direction, '') AS project_direction,
               COALESCE(o.source, a.source, '') AS source, o.region_code,
               extract(year FROM o.paid_on)::integer AS year,
               extract(quarter FROM o.paid_on)::integer AS quarter,
               -o.amount AS amount, -1 AS payments
        FROM old_rows o
        LEFT JOIN allocations a ON a.id = o.allocation_id
        LEFT JOIN projects pr ON pr.id = o.project_id
        WHERE NOT o.withdrawn
        UNION ALL
        SELECT COALESCE(a.fund_id, 0) AS fund_id,
               COALESCE(pr.direction, '') AS project_direction,
               COALESCE(n.source, a.source, '') AS source, n.region_code,
               extract(year FROM n.paid_on)::integer AS year,
               extract(quarter FROM n.paid_on)::integer AS quarter,
               n.amount AS amount, 1 AS payments
        FROM new_rows n
        LEFT JOIN allocations a ON a.id = n.allocation_id
        LEFT JOIN projects pr ON pr.id = n.project_id
        WHERE NOT n.withdrawn) d
    GROUP BY 1, 2, 3, 4, 5, 6
    HAVING sum(amount) <> 0 OR sum(payments) <> 0
    ORDER BY 1, 2, 3, 4, 5, 6
    ON CONFLICT (fund_id, project_direction, source, region_code, year, quarter)
    DO UPDATE SET amount = f.amount + EXCLUDED.amount,
                  payments = f.payments + EXCLUDED.payments;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;
-- +goose StatementEnd

CREATE TRIGGER payment_flows_insert AFTER INSERT ON payments
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION payment_flows_insert();
CREATE TRIGGER payment_flows_update AFTER UPDATE ON payments
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION payment_flows_update();
CREATE TRIGGER payment_flows_delete AFTER DELETE ON payments
    REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION payment_flows_delete();

-- A payment's key also depends on its allocation's fund and source and its
-- project's direction: when one of those changes, its payments move.
-- +goose StatementBegin
CREATE FUNCTION payment_flows_from_allocations() RETURNS trigger AS $$
BEGIN
    INSERT INTO payment_flows AS f
    SELECT fund_id, project_direction, source, region_code, year, quarter,
           sum(amount), sum(payments)
    FROM (
        SELECT s.fund_id, COALESCE(pr.direction, '') AS project_direction,
               s.source, p.region_code,
               extract(year FROM p.paid_on)::integer AS year,
               extract(quarter FROM p.paid_on)::integer AS quarter,
               s.sign * p.amount AS amount, s.sign AS payments
        FROM old_rows o JOIN new_rows n ON n.id = o.id
        JOIN payments p ON p.allocation_id = n.id AND NOT p.withdrawn
        LEFT JOIN projects pr ON pr.id = p.project_id
        CROSS JOIN LATERAL (VALUES
            (-1, o.fund_id, COALESCE(p.source, o.source, '')),
            (1, n.fund_id, COALESCE(p.source, n.source, ''))) AS s (sign, fund_id, source)
        WHERE o.fund_id <> n.fund_id OR o.source <> n.source) d
    GROUP BY 1, 2, 3, 4, 5, 6
    HAVING sum(amount) <> 0 OR sum(payments) <> 0
    ORDER BY 1, 2, 3, 4, 5, 6
    ON CONFLICT (fund_id, project_direction, source, region_code, year, quarter)
    DO UPDATE SET amount = f.amount + EXCLUDED.amount,
                  payments = f.payments + EXCLUDED.payments;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;
-- +goose StatementEnd

CREATE TRIGGER payment_flows_allocation AFTER UPDATE ON allocations
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION payment_flows_from_allocations();

-- +goose StatementBegin
CREATE FUNCTION payment_flows_from_projects() RETURNS trigger AS $$
BEGIN
    INSERT INTO payment_flows AS f
    SELECT fund_id, project_direction, source, region_code, year, quarter,
           sum(amount), sum(payments)
    FROM (
        SELECT COALESCE(a.fund_id, 0) AS fund_id, s.direction AS project_direction,
               COALESCE(p.source, a.source, '') AS source, p.region_code,
               extract(year FROM p.paid_on)::integer AS year,
               extract(quarter FROM p.paid_on)::integer AS quarter,
               s.sign * p.amount AS amount, s.sign AS payments
        FROM old_rows o JOIN new_rows n ON n.id = o.id
        JOIN payments p ON p.project_id = n.id AND NOT p.withdrawn
        LEFT JOIN allocations a ON a.id = p.allocation_id
        CROSS JOIN LATERAL (VALUES (-1, o.direction), (1, n.direction)) AS s (sign, direction)
        WHERE o.direction <> n.direction) d
    GROUP BY 1, 2, 3, 4, 5, 6
    HAVING sum(amount) <> 0 OR sum(payments) <> 0
    ORDER BY 1, 2, 3, 4, 5, 6
    ON CONFLICT (fund_id, project_direction, source, region_code, year, quarter)
    DO UPDATE SET amount = f.amount + EXCLUDED.amount,
                  payments = f.payments + EXCLUDED.payments;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;
-- +goose StatementEnd

CREATE TRIGGER payment_flows_project AFTER UPDATE ON projects
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION payment_flows_from_projects();

INSERT INTO payment_flows
SELECT fund_id, project_direction, source, region_code, year, quarter,
       sum(amount), count(*)
FROM payment_flow_keys
GROUP BY 1, 2, 3, 4, 5, 6;

-- The latest value reported for a target is looked up per target, and
-- leaf targets are told from decomposed ones by their children.
CREATE INDEX report_lines_target_idx ON report_lines (target_id)
    WHERE target_id IS NOT NULL;
CREATE INDEX targets_parent_idx ON performance_targets (parent_id)
    WHERE parent_id IS NOT NULL;
CREATE INDEX payments_project_idx ON payments (project_id);

-- +goose Down
DROP INDEX payments_project_idx;
DROP INDEX targets_parent_idx;
DROP INDEX report_lines_target_idx;
DROP TRIGGER payment_flows_project ON projects;
DROP FUNCTION payment_flows_from_projects;
DROP TRIGGER payment_flows_allocation ON allocations;
DROP FUNCTION payment_flows_from_allocations;
DROP TRIGGER payment_flows_delete ON payments;
DROP TRIGGER payment_flows_update ON payments;
DROP TRIGGER payment_flows_insert ON payments;
DROP FUNCTION payment_flows_delete;
DROP FUNCTION payment_flows_update;
DROP FUNCTION payment_flows_insert;
DROP VIEW payment_flow_keys;
DROP TABLE payment_flows;
