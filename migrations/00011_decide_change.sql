-- +goose Up

-- The ministry's finance department decides change requests to transmitted
-- data. The policy sits at the nation like the others; the workflow asks
-- for decide_change at the nation itself, which only a role held there
-- reaches, so provincial and county finance departments hold it in vain.
INSERT INTO casbin_rules (ptype, v0, v1, v2, v3)
VALUES ('p', 'finance', '100000', '*', 'decide_change');

-- +goose Down
DELETE FROM casbin_rules
WHERE ptype = 'p' AND v0 = 'finance' AND v1 = '100000' AND v2 = '*'
    AND v3 = 'decide_change';
